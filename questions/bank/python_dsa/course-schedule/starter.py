def can_finish(num_courses: int, prerequisites: list[list[int]]) -> bool:
    # [a, b] in prerequisites means course b must be taken before course a.
    # Return True if every course can be finished.
    pass
