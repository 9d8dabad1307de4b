def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    # Correct but exponential in the number of ORDERED sequences: tries every
    # sequence of candidates that sums to target, then removes duplicates.
    seen: set[tuple[int, ...]] = set()
    path: list[int] = []

    def extend(remaining: int) -> None:
        if remaining == 0:
            seen.add(tuple(sorted(path)))
            return
        for value in candidates:
            if value <= remaining:
                path.append(value)
                extend(remaining - value)
                path.pop()

    extend(target)
    return [list(c) for c in seen]
