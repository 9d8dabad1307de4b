# Wrong on purpose: merging through a set loses repeated values.
import heapq


def merge_k_lists(lists: list[list[int]]) -> list[int]:
    seen = set()
    for values in lists:
        seen.update(values)
    heap = list(seen)
    heapq.heapify(heap)
    return [heapq.heappop(heap) for _ in range(len(heap))]
