def search(nums: list[int], targets: list[int]) -> list[int]:
    # Return, for each target, its index in the rotated sorted list nums, or -1.
    pass
