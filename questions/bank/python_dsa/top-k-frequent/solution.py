import heapq
from collections import Counter


def top_k_frequent(nums: list[int], k: int) -> list[int]:
    counts = Counter(nums)
    # A min-heap of (-count, value): most frequent first, ties by smaller value.
    # Heapifying is O(distinct values); each of the k pops is O(log distinct).
    heap = [(-count, value) for value, count in counts.items()]
    heapq.heapify(heap)
    return [heapq.heappop(heap)[1] for _ in range(k)]
