import random


def large_single_last():
    # 100,000 values three times each, shuffled, then the single value last:
    # counting each value with a scan of the list is ~9 * 10**10 steps.
    rng = random.Random(91)
    values = rng.sample(range(-2**31, 2**31), 100_001)
    single = values.pop()
    nums = values * 3
    rng.shuffle(nums)
    return [nums + [single]]


def large_negative_single():
    # 100,000 values three times each with a negative single value mixed in.
    rng = random.Random(92)
    values = rng.sample(range(1, 2**31), 100_000)
    nums = values * 3 + [-rng.randrange(1, 2**31)]
    rng.shuffle(nums)
    return [nums]
