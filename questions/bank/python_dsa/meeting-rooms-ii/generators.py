import random


def large_random():
    # 100,000 meetings of random lengths over a long day, hundreds at once at the peak.
    rng = random.Random(51)
    out = []
    for _ in range(100_000):
        start = rng.randint(0, 10**9 - 10**7)
        out.append([start, start + rng.randint(1, 10**7)])
    return [out]


def large_back_to_back_and_nested():
    # 50,000 meetings back to back in one room's worth of time, and 50,000 meetings
    # nested around a common middle, shuffled together.
    rng = random.Random(52)
    out = [[i * 10, i * 10 + 10] for i in range(50_000)]
    mid = 250_000
    out += [[mid - d, mid + d] for d in range(1, 50_001)]
    rng.shuffle(out)
    return [out]
