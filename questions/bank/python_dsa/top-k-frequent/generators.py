import random


def large_skewed():
    # 200,000 numbers drawn from 60,000 candidate values with skewed weights:
    # about 36,000 distinct values, and the cut at k = 20,000 falls among the
    # 17,000 values seen once, so ties decide it. Picking the best remaining
    # value k times costs over 5 * 10**8 steps.
    rng = random.Random(17)
    pool = rng.sample(range(-10**9, 10**9), 60_000)
    weights = [1.0 / (i + 10) for i in range(len(pool))]
    nums = rng.choices(pool, weights=weights, k=200_000)
    return [nums, 20_000]
