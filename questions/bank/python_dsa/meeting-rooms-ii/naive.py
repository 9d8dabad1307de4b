def min_meeting_rooms(intervals: list[list[int]]) -> int:
    # Correct but O(n**2): the answer is the most meetings in progress at once, and
    # that maximum is reached at some meeting's start, so count at every start.
    best = 0
    for start, _ in intervals:
        running = sum(1 for s, e in intervals if s <= start < e)
        best = max(best, running)
    return best
