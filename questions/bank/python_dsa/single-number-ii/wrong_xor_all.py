# Wrong on purpose: the XOR trick cancels values appearing twice, not three times.
def single_number(nums: list[int]) -> int:
    result = 0
    for x in nums:
        result ^= x
    return result
