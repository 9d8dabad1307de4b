import random


def _shuffled_chain(rng, n, extra):
    # Courses in a random order; each one needs the previous one (a chain n long)
    # and `extra` more prerequisites point from earlier to later courses.
    order = list(range(n))
    rng.shuffle(order)
    pairs = [[order[i], order[i - 1]] for i in range(1, n)]
    for _ in range(extra):
        i, j = sorted(rng.sample(range(n), 2))
        pairs.append([order[j], order[i]])
    rng.shuffle(pairs)
    return order, pairs


def large_dag():
    # 100,000 courses and about 200,000 prerequisites, no cycle: every course can
    # be finished, but only in one long chain.
    rng = random.Random(31)
    _, pairs = _shuffled_chain(rng, 100_000, 100_001)
    return [100_000, pairs]


def large_with_deep_cycle():
    # The same shape, plus one prerequisite that closes a cycle through the last
    # 20,000 courses of the chain.
    rng = random.Random(32)
    order, pairs = _shuffled_chain(rng, 100_000, 100_000)
    pairs.insert(rng.randrange(len(pairs)), [order[-20_000], order[-1]])
    return [100_000, pairs]
