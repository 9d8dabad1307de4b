# Wrong on purpose: stops a branch at the first candidate that is too large, but
# never sorts the candidates, so smaller ones later in the list are skipped.
def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    found: list[list[int]] = []
    path: list[int] = []

    def extend(start: int, remaining: int) -> None:
        if remaining == 0:
            found.append(sorted(path))
            return
        for i in range(start, len(candidates)):
            if candidates[i] > remaining:
                break
            path.append(candidates[i])
            extend(i, remaining - candidates[i])
            path.pop()

    extend(0, target)
    return found
