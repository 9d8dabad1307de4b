def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    # Correct but O(num_courses * len(prerequisites)): takes one course at a time,
    # recounting every course's missing prerequisites from scratch each time.
    taken = [False] * num_courses
    for _ in range(num_courses):
        missing = [0] * num_courses
        for course, before in prerequisites:
            if not taken[before]:
                missing[course] += 1
        pick = next((c for c in range(num_courses) if not taken[c] and missing[c] == 0), None)
        if pick is None:
            return False
        taken[pick] = True
    return True
