import heapq


def network_delay_time(times: list[list[int]], n: int, k: int) -> int:
    # Dijkstra with a binary heap; stale heap entries are skipped when popped.
    links: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for u, v, w in times:
        links[u].append((v, w))
    best = [-1] * (n + 1)  # -1: not settled yet
    heap = [(0, k)]
    settled = 0
    latest = 0
    while heap:
        dist, node = heapq.heappop(heap)
        if best[node] != -1:
            continue
        best[node] = dist
        settled += 1
        latest = dist
        for nxt, w in links[node]:
            if best[nxt] == -1:
                heapq.heappush(heap, (dist + w, nxt))
    return latest if settled == n else -1
