# Wrong on purpose: every step may pick any candidate again, so the same multiset
# is produced once per ordering (sorted copies, listed several times).
def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    values = sorted(candidates)
    found: list[list[int]] = []
    path: list[int] = []

    def extend(remaining: int) -> None:
        if remaining == 0:
            found.append(sorted(path))
            return
        for value in values:
            if value > remaining:
                break
            path.append(value)
            extend(remaining - value)
            path.pop()

    extend(target)
    return found
