def min_meeting_rooms(intervals: list[list[int]]) -> int:
    # intervals[i] = [start, end): a meeting from start up to (not including) end.
    # Return the fewest rooms that can host every meeting.
    pass
