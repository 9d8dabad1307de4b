def find_kth_largest(nums: list[int], k: int) -> int:
    # Return the k-th largest element of nums (duplicates count separately).
    pass
