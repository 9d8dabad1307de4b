# Wrong on purpose: only checks whether the meeting taken last has ended,
# instead of the room that frees up first.
def min_meeting_rooms(intervals: list[list[int]]) -> int:
    rooms = 0
    last_end = None
    for start, end in sorted(intervals):
        if last_end is None or start < last_end:
            rooms += 1
        last_end = end
    return rooms
