import random
from collections import deque


def _path(rng, left, right, start, length):
    # Hangs a zig-zag path of `length` new nodes below `start`, with a leaf on the
    # free side of about a third of them; returns the last node of the path.
    node = start
    for _ in range(length):
        child = len(left)
        left.append(-1)
        right.append(-1)
        if rng.random() < 0.5:
            left[node] = child
            free = right
        else:
            right[node] = child
            free = left
        if rng.random() < 0.3:
            free[node] = len(left)
            left.append(-1)
            right.append(-1)
        node = child
    return node


def _encode(val, left, right):
    out = [val[0]]
    queue = deque([0])
    while queue:
        node = queue.popleft()
        for child in (left[node], right[node]):
            if child < 0:
                out.append(None)
            else:
                out.append(val[child])
                queue.append(child)
    while out[-1] is None:
        out.pop()
    return out


def deep_split():
    # A path 5,000 levels deep ends in a node with two zig-zag paths of 15,000
    # levels below it; p is the bottom of the right one and q the bottom of the
    # left one, so p > q and their ancestor is 5,000 levels down. Searching the
    # subtree of each ancestor of p costs about 15,000**2 / 2 node visits.
    rng = random.Random(99)
    left, right = [-1], [-1]
    split = _path(rng, left, right, 0, 5_000)
    left[split] = len(left)
    left.append(-1)
    right.append(-1)
    right[split] = len(left)
    left.append(-1)
    right.append(-1)
    q_node = _path(rng, left, right, left[split], 15_000)
    p_node = _path(rng, left, right, right[split], 15_000)
    # Values in search-tree order: in-order position i gets the i-th smallest.
    n = len(left)
    ordered = sorted(rng.sample(range(-10**9, 10**9), n))
    val = [0] * n
    stack, node, rank = [], 0, 0
    while stack or node >= 0:
        while node >= 0:
            stack.append(node)
            node = left[node]
        node = stack.pop()
        val[node] = ordered[rank]
        rank += 1
        node = right[node]
    return [_encode(val, left, right), val[p_node], val[q_node]]
