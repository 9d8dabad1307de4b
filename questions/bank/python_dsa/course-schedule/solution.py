def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    # Kahn's algorithm: keep taking courses whose prerequisites are all taken.
    unlocks: list[list[int]] = [[] for _ in range(num_courses)]
    missing = [0] * num_courses
    for course, before in prerequisites:
        unlocks[before].append(course)
        missing[course] += 1
    ready = [course for course in range(num_courses) if missing[course] == 0]
    taken = 0
    while ready:
        course = ready.pop()
        taken += 1
        for after in unlocks[course]:
            missing[after] -= 1
            if missing[after] == 0:
                ready.append(after)
    return taken == num_courses
