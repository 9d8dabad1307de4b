def find_redundant_connection(edges: list[list[int]]) -> list[int]:
    # Union-find: the first link whose ends are already connected closes the cycle,
    # and every other link of the cycle came before it, so it is the last one in edges.
    n = len(edges)
    parent = list(range(n + 1))
    size = [1] * (n + 1)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]  # path halving
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra == rb:
            return [a, b]
        if size[ra] < size[rb]:
            ra, rb = rb, ra
        parent[rb] = ra
        size[ra] += size[rb]
    return []
