import random


def large_rotated_many_queries():
    # 100,000 distinct even numbers, rotated, and 100,000 queries: half of them
    # present, half odd (absent). A linear scan per query is about 7 * 10**9 steps.
    rng = random.Random(71)
    n = 100_000
    values = sorted(rng.sample(range(-10**9, 10**9, 2), n))
    k = rng.randrange(1, n)
    nums = values[k:] + values[:k]
    targets = [rng.choice(nums) if q % 2 == 0 else rng.randrange(-10**9 + 1, 10**9, 2) for q in range(n)]
    return [nums, targets]
