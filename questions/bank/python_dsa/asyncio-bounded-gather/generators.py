import random


def one_slow_task_two_slots():
    # Task 0 takes 200 steps; tasks 1-7 take 1 step each, two slots.
    return [[200, 1, 1, 1, 1, 1, 1, 1], 2]


def one_slow_task_three_slots():
    return [[150, 2, 1, 3, 1, 2, 1, 1, 2], 3]


def many_tasks():
    # 2,000 tasks of 1-20 steps, at most 50 at a time.
    rng = random.Random(7)
    return [[rng.randint(1, 20) for _ in range(2000)], 50]
