def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    # Backtracking over the sorted candidates. A combination only uses candidates
    # from index `start` on (so each multiset is built once, in ascending order), and
    # a branch stops as soon as a candidate exceeds what is left.
    values = sorted(candidates)
    found: list[list[int]] = []
    path: list[int] = []

    def extend(start: int, remaining: int) -> None:
        if remaining == 0:
            found.append(path.copy())
            return
        for i in range(start, len(values)):
            value = values[i]
            if value > remaining:
                break  # sorted: every later candidate is too large as well
            path.append(value)
            extend(i, remaining - value)  # i, not i + 1: the same value may repeat
            path.pop()

    extend(0, target)
    return found
