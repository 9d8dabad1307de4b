import heapq


def merge_k_lists(lists: list[list[int]]) -> list[int]:
    # A heap holds the smallest value not yet taken from each list, with the
    # list's index and the value's position in it.
    heap = [(values[0], i, 0) for i, values in enumerate(lists) if values]
    heapq.heapify(heap)
    merged = []
    while heap:
        value, i, j = heap[0]
        merged.append(value)
        if j + 1 < len(lists[i]):
            heapq.heapreplace(heap, (lists[i][j + 1], i, j + 1))
        else:
            heapq.heappop(heap)
    return merged
