def level_order(values: list[int | None]) -> list[list[int]]:
    # values is the tree in level order, with None for a missing child.
    # Return the node values level by level, each level left to right.
    pass
