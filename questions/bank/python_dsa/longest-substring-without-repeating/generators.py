import random


def large_long_distinct_runs():
    # Two shuffled copies of the same 50,000 distinct characters: from every start
    # in the first copy the window grows tens of thousands of characters before it
    # meets a repeat, so restarting the scan at each position is quadratic.
    rng = random.Random(21)
    alphabet = [chr(0x10000 + i) for i in range(50_000)]
    first = alphabet[:]
    second = alphabet[:]
    rng.shuffle(first)
    rng.shuffle(second)
    return ["".join(first + second)]
