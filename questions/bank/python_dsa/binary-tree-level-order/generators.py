import random
from collections import deque


def _encode(val, left, right):
    # Level-order encoding of a tree given as arrays; node 0 is the root.
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


def deep_tree():
    # A zig-zag path 20,000 levels deep with a leaf hanging off about half of its
    # nodes: about 30,000 nodes. Rescanning from the root for every level costs
    # O(n * height), about 10**8 node visits.
    rng = random.Random(2024)
    val, left, right = [], [], []

    def new_node():
        val.append(rng.randint(-999, 999))
        left.append(-1)
        right.append(-1)
        return len(val) - 1

    node = new_node()
    for _ in range(20_000 - 1):
        child = new_node()
        if rng.random() < 0.5:
            left[node] = child
            if rng.random() < 0.5:
                right[node] = new_node()
        else:
            right[node] = child
            if rng.random() < 0.5:
                left[node] = new_node()
        node = child
    return [_encode(val, left, right)]
