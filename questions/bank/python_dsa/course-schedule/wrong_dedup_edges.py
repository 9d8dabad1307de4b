# Wrong on purpose: stores each course's dependents as a set (dropping repeated
# pairs) but counts missing prerequisites with repeats, so a repeated pair is
# never fully paid off.
def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    unlocks: list[set[int]] = [set() for _ in range(num_courses)]
    missing = [0] * num_courses
    for course, before in prerequisites:
        unlocks[before].add(course)
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
