def network_delay_time(times: list[list[int]], n: int, k: int) -> int:
    # Correct but O(n**2 + len(times)): Dijkstra that finds the next node to settle
    # by scanning every node.
    INF = float("inf")
    links: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for u, v, w in times:
        links[u].append((v, w))
    dist = [INF] * (n + 1)
    done = [False] * (n + 1)
    dist[k] = 0
    for _ in range(n):
        node, smallest = -1, INF
        for candidate in range(1, n + 1):
            if not done[candidate] and dist[candidate] < smallest:
                node, smallest = candidate, dist[candidate]
        if node == -1:
            return -1
        done[node] = True
        for nxt, w in links[node]:
            if smallest + w < dist[nxt]:
                dist[nxt] = smallest + w
    return max(dist[1:])
