# Wrong on purpose: sorts and looks at triples, but assumes the single value is
# never the largest, so it misses it at the end of the sorted list.
def single_number(nums: list[int]) -> int:
    values = sorted(nums)
    for i in range(0, len(values) - 1, 3):
        if values[i] != values[i + 1]:
            return values[i]
    return values[0]
