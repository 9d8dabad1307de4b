# Wrong on purpose: when one of p and q is an ancestor of the other, it returns
# that node's parent instead of the node itself.
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
    low, high = min(p, q), max(p, q)
    node, parent = values[0], values[0]
    while True:
        if high < node:
            parent, node = node, left[node]
        elif low > node:
            parent, node = node, right[node]
        elif node in (p, q):
            return parent
        else:
            return node
