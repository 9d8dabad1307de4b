import random


def _shuffled_chain(rng, n, extra):
    # Courses in a random order; each one needs the previous one (a chain n long)
    # and `extra` more prerequisites point from earlier to later courses.
    order = list(range(n))
    rng.shuffle(order)
    pairs = [[order[i], order[i - 1]] for i in range(1, n)]
    while len(pairs) < n - 1 + extra:
        i, j = rng.randrange(n), rng.randrange(n)
        if i < j:
            pairs.append([order[j], order[i]])
        elif j < i:
            pairs.append([order[i], order[j]])
    rng.shuffle(pairs)
    return order, pairs


def large_dag():
    # 50,000 courses and 100,000 prerequisites, no cycle: every course can be
    # finished, but only along one long chain. Recounting the missing
    # prerequisites after every course costs about 5 * 10**9 steps.
    rng = random.Random(31)
    _, pairs = _shuffled_chain(rng, 50_000, 50_001)
    return [50_000, pairs]


def large_with_deep_cycle():
    # The same shape, plus one prerequisite that closes a cycle through the last
    # 10,000 courses of the chain.
    rng = random.Random(32)
    order, pairs = _shuffled_chain(rng, 50_000, 50_000)
    pairs.insert(rng.randrange(len(pairs)), [order[-10_000], order[-1]])
    return [50_000, pairs]
