def single_number(nums: list[int]) -> int:
    # Every value appears three times except one, which appears once. Return it.
    pass
