import random


def large_mostly_disjoint():
    # 100,000 short intervals at starts 10 apart, shuffled: runs of neighbours
    # merge, but about 20,000 groups stay separate, so comparing each interval with
    # every interval kept so far is quadratic.
    rng = random.Random(41)
    intervals = []
    for k in range(100_000):
        start = 10 * k - 500_000
        intervals.append([start, start + rng.randint(0, 30)])
    rng.shuffle(intervals)
    return [intervals]
