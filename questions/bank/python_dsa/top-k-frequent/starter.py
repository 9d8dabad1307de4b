def top_k_frequent(nums: list[int], k: int) -> list[int]:
    # Return the k most frequent values: by frequency descending, then value ascending.
    pass
