# Wrong on purpose: finds the cycle correctly but returns the cycle's link that
# comes FIRST in edges instead of the last one.
def find_redundant_connection(edges: list[list[int]]) -> list[int]:
    n = len(edges)
    degree = [0] * (n + 1)
    adjacent: list[set[int]] = [set() for _ in range(n + 1)]
    for a, b in edges:
        adjacent[a].add(b)
        adjacent[b].add(a)
        degree[a] += 1
        degree[b] += 1
    # Peel leaves away; what remains is the cycle.
    leaves = [v for v in range(1, n + 1) if degree[v] == 1]
    removed = [False] * (n + 1)
    while leaves:
        v = leaves.pop()
        removed[v] = True
        for u in adjacent[v]:
            if not removed[u]:
                degree[u] -= 1
                if degree[u] == 1:
                    leaves.append(u)
    for a, b in edges:
        if not removed[a] and not removed[b]:
            return [a, b]
    return []
