from bisect import bisect_left


def search(nums: list[int], targets: list[int]) -> list[int]:
    # Binary search for the rotation point: the index of the smallest element.
    lo, hi = 0, len(nums) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if nums[mid] > nums[hi]:
            lo = mid + 1
        else:
            hi = mid
    pivot = lo
    # nums[pivot:] and nums[:pivot] are both sorted; every element of the first
    # part (the larger values) is greater than every element of the second.
    answer = []
    for target in targets:
        if target >= nums[0] and pivot > 0:
            lo, hi = 0, pivot
        else:
            lo, hi = pivot, len(nums)
        i = bisect_left(nums, target, lo, hi)
        answer.append(i if i < hi and nums[i] == target else -1)
    return answer
