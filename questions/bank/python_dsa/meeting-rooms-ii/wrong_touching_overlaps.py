# Wrong on purpose: a room is reused only when it frees up strictly before the
# next start, so back-to-back meetings take two rooms.
import heapq


def min_meeting_rooms(intervals: list[list[int]]) -> int:
    ends: list[int] = []
    for start, end in sorted(intervals):
        if ends and ends[0] < start:
            heapq.heapreplace(ends, end)
        else:
            heapq.heappush(ends, end)
    return len(ends)
