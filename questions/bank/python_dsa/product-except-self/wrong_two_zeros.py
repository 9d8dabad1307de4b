# Wrong on purpose: divides the product of the non-zero numbers, and handles one zero
# but not two (with two zeros every answer is 0).
def product_except_self(nums: list[int]) -> list[int]:
    total = 1
    for x in nums:
        if x != 0:
            total *= x
    if 0 in nums:
        return [total if x == 0 else 0 for x in nums]
    return [total // x for x in nums]
