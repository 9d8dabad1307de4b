# Wrong on purpose: marks a node as final when it is first pushed, so a later,
# shorter route through more links never improves it.
import heapq


def network_delay_time(times: list[list[int]], n: int, k: int) -> int:
    links: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for u, v, w in times:
        links[u].append((v, w))
    best = [-1] * (n + 1)
    best[k] = 0
    heap = [(0, k)]
    while heap:
        dist, node = heapq.heappop(heap)
        for nxt, w in links[node]:
            if best[nxt] == -1:
                best[nxt] = dist + w
                heapq.heappush(heap, (dist + w, nxt))
    return -1 if -1 in best[1:] else max(best[1:])
