def single_number(nums: list[int]) -> int:
    # Correct but O(n**2): counts each value with a scan of the whole list.
    for x in nums:
        if nums.count(x) == 1:
            return x
    raise ValueError("no value appears once")
