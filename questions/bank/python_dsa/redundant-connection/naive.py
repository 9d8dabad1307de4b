def find_redundant_connection(edges: list[list[int]]) -> list[int]:
    # Correct but O(n**2): before adding each link, searches the links added so far
    # to see whether its two ends are already connected.
    n = len(edges)
    adjacent: list[list[int]] = [[] for _ in range(n + 1)]
    for a, b in edges:
        seen = {a}
        stack = [a]
        while stack:
            node = stack.pop()
            if node == b:
                return [a, b]
            for nxt in adjacent[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        adjacent[a].append(b)
        adjacent[b].append(a)
    return []
