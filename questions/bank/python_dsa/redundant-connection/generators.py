import random


def _labels(rng, n):
    labels = list(range(1, n + 1))
    rng.shuffle(labels)
    return labels


def large_long_cycle():
    # 100,000 nodes on one path in a random labelling, the path's links in order,
    # and a last link joining its two ends: a cycle through every node. Checking
    # connectivity by search before each link visits ~n**2 / 2 nodes.
    rng = random.Random(23)
    n = 100_000
    v = _labels(rng, n)
    edges = [[v[i], v[i + 1]] for i in range(n - 1)]
    edges.append([v[-1], v[0]])
    return [edges]


def large_random_tree_plus_one():
    # A random tree on 100,000 nodes (each node joins a random earlier one), its
    # links shuffled, with one extra link between two nodes deep in the same branch.
    rng = random.Random(24)
    n = 100_000
    v = _labels(rng, n)
    parent_index = [0] * n
    edges = []
    for i in range(1, n):
        p = rng.randrange(max(0, i - 50), i)  # mostly recent: long, thin branches
        parent_index[i] = p
        edges.append([v[i], v[p]] if rng.random() < 0.5 else [v[p], v[i]])
    a = n - 1
    b = a
    for _ in range(3000):
        b = parent_index[b]
    edges.insert(rng.randrange(len(edges) + 1), [v[a], v[b]])
    rng.shuffle(edges)
    return [edges]
