# Wrong on purpose: compares the nodes' direct parents instead of their roots, and
# re-parents only the one node b rather than its whole set.
def find_redundant_connection(edges: list[list[int]]) -> list[int]:
    n = len(edges)
    parent = list(range(n + 1))
    for a, b in edges:
        if parent[a] == parent[b]:
            return [a, b]
        parent[b] = parent[a]
    return []
