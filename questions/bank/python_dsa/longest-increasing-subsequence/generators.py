import random


def large_random():
    # 100,000 random numbers: the O(n**2) dynamic programme takes 5 * 10**9 steps.
    rng = random.Random(3)
    return [[rng.randint(-10**9, 10**9) for _ in range(100_000)]]


def large_noisy_trend():
    # 100,000 numbers rising slowly with noise and many repeats, so the answer is
    # long (thousands) and equal values matter.
    rng = random.Random(4)
    return [[i // 20 + rng.randint(-50, 50) for i in range(100_000)]]
