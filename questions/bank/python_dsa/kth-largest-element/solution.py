import heapq


def find_kth_largest(nums: list[int], k: int) -> int:
    # A min-heap of the k largest elements seen so far; its root is the k-th largest.
    heap = nums[:k]
    heapq.heapify(heap)
    for value in nums[k:]:
        if value > heap[0]:
            heapq.heapreplace(heap, value)
    return heap[0]
