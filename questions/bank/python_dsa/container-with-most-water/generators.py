import random


def large_random_heights():
    # 100,000 random heights: checking every pair of lines is about 5 * 10**9 pairs.
    rng = random.Random(31)
    return [[rng.randint(0, 10_000) for _ in range(100_000)]]
