def two_sum(nums: list[int], target: int) -> list[int]:
    seen: dict[int, int] = {}
    for j, value in enumerate(nums):
        i = seen.get(target - value)
        if i is not None:
            return [i, j]
        seen.setdefault(value, j)
    raise ValueError("no pair adds up to the target")
