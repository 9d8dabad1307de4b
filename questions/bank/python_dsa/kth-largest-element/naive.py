def find_kth_largest(nums: list[int], k: int) -> int:
    # Remove the largest remaining element k - 1 times, scanning the list each time.
    remaining = list(nums)
    for _ in range(k - 1):
        largest = 0
        for i in range(1, len(remaining)):
            if remaining[i] > remaining[largest]:
                largest = i
        remaining.pop(largest)
    best = remaining[0]
    for value in remaining:
        if value > best:
            best = value
    return best
