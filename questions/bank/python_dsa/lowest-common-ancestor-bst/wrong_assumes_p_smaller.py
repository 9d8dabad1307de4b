# Wrong on purpose: assumes p < q, so it walks the wrong way when p > q.
from collections import deque


def lowest_common_ancestor(values: list[int | None], p: int, q: int) -> int:
    left, right = {}, {}
    parents = deque([values[0]])
    i = 1
    while parents and i < len(values):
        node = parents.popleft()
        for side in (left, right):
            if i < len(values) and values[i] is not None:
                side[node] = values[i]
                parents.append(values[i])
            i += 1
    node = values[0]
    while True:
        if q < node:
            node = left[node]
        elif p > node:
            node = right[node]
        else:
            return node
