import heapq


def min_meeting_rooms(intervals: list[list[int]]) -> int:
    # Take meetings by start time; a min-heap holds the end times of rooms in use.
    ends: list[int] = []
    for start, end in sorted(intervals):
        if ends and ends[0] <= start:
            heapq.heapreplace(ends, end)  # reuse the room that frees up first
        else:
            heapq.heappush(ends, end)
    return len(ends)
