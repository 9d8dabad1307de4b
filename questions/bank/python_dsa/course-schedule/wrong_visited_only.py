# Wrong on purpose: a depth-first search that treats reaching any course seen
# before as a cycle, so two paths to the same course look like a cycle.
def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    needs: list[list[int]] = [[] for _ in range(num_courses)]
    for course, before in prerequisites:
        needs[course].append(before)
    visited = [False] * num_courses
    for start in range(num_courses):
        if visited[start]:
            continue
        visited[start] = True
        stack = [start]
        while stack:
            course = stack.pop()
            for before in needs[course]:
                if visited[before]:
                    return False
                visited[before] = True
                stack.append(before)
    return True
