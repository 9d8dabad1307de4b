import random


def large_rising():
    # 100,000 bars rising in steps of 1 every 10 bars, from 1 to 10,000: trying every
    # left edge is ~5 * 10**9 steps, and the stack holds every bar until the end.
    return [[i // 10 + 1 for i in range(100_000)]]


def large_random_with_valleys():
    # 100,000 random bars with a few zero-height gaps.
    rng = random.Random(81)
    heights = [rng.randint(5_000, 10_000) for _ in range(100_000)]
    for _ in range(20):
        heights[rng.randrange(100_000)] = 0
    return [heights]
