import random


def large_pair_at_end():
    # 100,000 distinct numbers that are 1 mod 4, so no two of them sum to a
    # multiple of 4; the only pair summing to the target (0 mod 4) is the last
    # two numbers, so a quadratic scan has to try almost every pair.
    rng = random.Random(7)
    nums = rng.sample(range(1, 10**9, 4), 100_000)
    nums[-2] = 123_456
    nums[-1] = 654_320
    return [nums, 777_776]
