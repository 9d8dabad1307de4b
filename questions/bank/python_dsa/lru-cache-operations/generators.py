import random


def large_working_set():
    # Capacity 50,000; 200,000 calls on 80,000 keys, two thirds of them gets, with
    # recently used keys read more often. A list ordered by use is scanned on most calls.
    rng = random.Random(131)
    ops = []
    for i in range(50_000):
        ops.append(["put", i, rng.randint(0, 10**9)])
    for _ in range(150_000):
        key = rng.randrange(80_000) if rng.random() < 0.5 else rng.randrange(40_000)
        if rng.random() < 0.66:
            ops.append(["get", key])
        else:
            ops.append(["put", key, rng.randint(0, 10**9)])
    return [50_000, ops]


def large_capacity_one():
    # Capacity 1, 200,000 calls alternating over a few keys.
    rng = random.Random(132)
    ops = []
    for _ in range(200_000):
        key = rng.randrange(3)
        ops.append(["get", key] if rng.random() < 0.5 else ["put", key, rng.randint(0, 5)])
    return [1, ops]
