import random


def many_lists():
    # 2,000 sorted lists of 0 to 40 values each, about 40,000 values in all.
    # Comparing the heads of all 2,000 lists for each value costs about 8 * 10**7 steps.
    rng = random.Random(23)
    lists = []
    for _ in range(2_000):
        lists.append(sorted(rng.randint(-10**5, 10**5) for _ in range(rng.randint(0, 40))))
    return [lists]
