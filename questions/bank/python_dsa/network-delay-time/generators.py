import random


def _labels(rng, n):
    labels = list(range(1, n + 1))
    rng.shuffle(labels)
    return labels


def large_long_chain_with_shortcuts():
    # 20,000 nodes on a cheap chain (time 1 per link) in a random labelling, plus
    # 80,001 random links that are mostly slower. Scanning all nodes to pick the
    # next one costs 20,000**2 = 4 * 10**8 steps.
    rng = random.Random(71)
    n = 20_000
    v = _labels(rng, n)
    times = [[v[i], v[i + 1], 1] for i in range(n - 1)]
    for _ in range(80_001):
        a, b = rng.randrange(n), rng.randrange(n)
        times.append([v[a], v[b], rng.randint(0, 100) if rng.random() < 0.02 else 100])
    rng.shuffle(times)
    return [times, n, v[0]]


def large_one_node_unreachable():
    # 20,000 nodes with 100,000 random links; one node has links out but none in.
    rng = random.Random(72)
    n = 20_000
    v = _labels(rng, n)
    isolated = v[-1]
    times = [[v[i], v[i + 1], rng.randint(0, 100)] for i in range(n - 2)]
    times.append([isolated, v[0], 5])
    while len(times) < 100_000:
        a, b = rng.randrange(n), rng.randrange(n - 1)
        times.append([v[a], v[b], rng.randint(0, 100)])
    rng.shuffle(times)
    return [times, n, v[0]]
