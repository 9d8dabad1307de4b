import random


def large_small_factors():
    # 100,000 numbers, almost all 1 or -1 with twenty 2s and -2s, so every product
    # stays small; multiplying the other n - 1 numbers for each index is quadratic.
    rng = random.Random(51)
    nums = [rng.choice((1, -1)) for _ in range(100_000)]
    for i in rng.sample(range(100_000), 20):
        nums[i] = rng.choice((2, -2))
    return [nums]
