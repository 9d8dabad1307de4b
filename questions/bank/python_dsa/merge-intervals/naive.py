def merge(intervals: list[list[int]]) -> list[list[int]]:
    # Keep a list of disjoint intervals; each new interval absorbs every one it overlaps.
    result: list[list[int]] = []
    for start, end in intervals:
        kept = []
        for other_start, other_end in result:
            if other_start <= end and start <= other_end:
                start, end = min(start, other_start), max(end, other_end)
            else:
                kept.append([other_start, other_end])
        kept.append([start, end])
        result = kept
    return sorted(result)
