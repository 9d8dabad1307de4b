def merge_k_lists(lists: list[list[int]]) -> list[int]:
    # Each lists[i] is sorted ascending; return all their values in one sorted list.
    pass
