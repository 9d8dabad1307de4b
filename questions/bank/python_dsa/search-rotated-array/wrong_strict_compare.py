# Wrong on purpose: tests nums[lo] < nums[mid] instead of <=, so when lo == mid the
# left half is wrongly taken as unsorted and the search goes the wrong way.
def search(nums: list[int], targets: list[int]) -> list[int]:
    answer = []
    for target in targets:
        lo, hi = 0, len(nums) - 1
        found = -1
        while lo <= hi:
            mid = (lo + hi) // 2
            if nums[mid] == target:
                found = mid
                break
            if nums[lo] < nums[mid]:
                if nums[lo] <= target < nums[mid]:
                    hi = mid - 1
                else:
                    lo = mid + 1
            else:
                if nums[mid] < target <= nums[hi]:
                    lo = mid + 1
                else:
                    hi = mid - 1
        answer.append(found)
    return answer
