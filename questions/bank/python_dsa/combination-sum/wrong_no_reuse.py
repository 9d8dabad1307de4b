# Wrong on purpose: moves past a candidate once it is used, so no number repeats.
def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    values = sorted(candidates)
    found: list[list[int]] = []
    path: list[int] = []

    def extend(start: int, remaining: int) -> None:
        if remaining == 0:
            found.append(path.copy())
            return
        for i in range(start, len(values)):
            if values[i] > remaining:
                break
            path.append(values[i])
            extend(i + 1, remaining - values[i])
            path.pop()

    extend(0, target)
    return found
