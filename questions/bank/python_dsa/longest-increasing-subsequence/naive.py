def length_of_lis(nums: list[int]) -> int:
    # Correct but O(n**2): the longest increasing subsequence ending at each
    # position, from every earlier position.
    longest = [1] * len(nums)
    for j in range(len(nums)):
        for i in range(j):
            if nums[i] < nums[j] and longest[i] + 1 > longest[j]:
                longest[j] = longest[i] + 1
    return max(longest, default=0)
