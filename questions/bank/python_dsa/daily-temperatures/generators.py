import random


def large_long_cooling():
    # 50,000 days cooling from the 90s to the 50s, then 49,999 random days below 50,
    # then one day of 100. Every day of the first half waits until the very last
    # day, so scanning forward from each day is quadratic.
    rng = random.Random(61)
    cooling = sorted((rng.randint(50, 99) for _ in range(50_000)), reverse=True)
    cold = [rng.randint(30, 49) for _ in range(49_999)]
    return [cooling + cold + [100]]
