# Wrong on purpose: rebuilds the answer from 32 bit counts but never converts the
# result back from unsigned, so a negative answer comes out as x + 2**32.
def single_number(nums: list[int]) -> int:
    result = 0
    for bit in range(32):
        count = sum((x >> bit) & 1 for x in nums)
        if count % 3:
            result |= 1 << bit
    return result
