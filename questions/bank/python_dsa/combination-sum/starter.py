def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    # Return every multiset of candidates (each usable any number of times) that
    # sums to target, each one in ascending order, each listed once.
    pass
