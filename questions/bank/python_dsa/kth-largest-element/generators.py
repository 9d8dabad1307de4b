import random


def large_k_half():
    # 100,000 numbers with many duplicates and k = 50,000: removing the maximum
    # k - 1 times with a full scan each time is quadratic.
    rng = random.Random(101)
    nums = [rng.randint(-10_000, 10_000) for _ in range(100_000)]
    return [nums, 50_000]
