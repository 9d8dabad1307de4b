# Wrong on purpose: finds the longest increasing run of adjacent values.
def length_of_lis(nums: list[int]) -> int:
    best = run = 0
    for i, value in enumerate(nums):
        run = run + 1 if i > 0 and value > nums[i - 1] else 1
        best = max(best, run)
    return best
