# Wrong on purpose: only looks for two courses that need each other (or a course
# that needs itself), missing longer cycles.
def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    pairs = {(a, b) for a, b in prerequisites}
    return not any((b, a) in pairs for a, b in pairs)
