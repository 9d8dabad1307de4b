import random


def large_amount():
    # Amount 19,999 with the coins 3 and 5 and eight random coins up to 2,000.
    # Trying every count of each coin costs about 10**8 steps for the coins 3
    # and 5 alone.
    rng = random.Random(41)
    coins = [3, 5] + rng.sample(range(10, 2_000), 8)
    rng.shuffle(coins)
    return [coins, 19_999]
