def product_except_self(nums: list[int]) -> list[int]:
    # Return answer with answer[i] == product of all nums[j] for j != i, without division.
    pass
