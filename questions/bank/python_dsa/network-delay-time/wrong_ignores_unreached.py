# Wrong on purpose: returns the latest time among the nodes reached, without
# checking that every node was reached.
import heapq


def network_delay_time(times: list[list[int]], n: int, k: int) -> int:
    links: list[list[tuple[int, int]]] = [[] for _ in range(n + 1)]
    for u, v, w in times:
        links[u].append((v, w))
    best: dict[int, int] = {}
    heap = [(0, k)]
    while heap:
        dist, node = heapq.heappop(heap)
        if node in best:
            continue
        best[node] = dist
        for nxt, w in links[node]:
            if nxt not in best:
                heapq.heappush(heap, (dist + w, nxt))
    return max(best.values())
