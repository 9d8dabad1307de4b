# Wrong on purpose: treats every link as two-way.
import heapq


def network_delay_time(times: list[list[int]], n: int, k: int) -> int:
    links: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for u, v, w in times:
        links[u].append((v, w))
        links[v].append((u, w))
    best = [-1] * (n + 1)
    heap = [(0, k)]
    while heap:
        dist, node = heapq.heappop(heap)
        if best[node] != -1:
            continue
        best[node] = dist
        for nxt, w in links[node]:
            if best[nxt] == -1:
                heapq.heappush(heap, (dist + w, nxt))
    return -1 if -1 in best[1:] else max(best[1:])
