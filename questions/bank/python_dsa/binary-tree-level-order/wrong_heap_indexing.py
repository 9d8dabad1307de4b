# Wrong on purpose: reads the list as a heap array (children of i at 2i+1 and
# 2i+2), which is a different encoding: missing nodes have no placeholders here.
def level_order(values: list[int | None]) -> list[list[int]]:
    if not values or values[0] is None:
        return []
    levels = []
    level = [0]
    while level:
        levels.append([values[i] for i in level])
        next_level = []
        for i in level:
            for child in (2 * i + 1, 2 * i + 2):
                if child < len(values) and values[child] is not None:
                    next_level.append(child)
        level = next_level
    return levels
