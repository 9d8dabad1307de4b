def lowest_common_ancestor(values: list[int | None], p: int, q: int) -> int:
    # values is the binary search tree in level order, with None for a missing child.
    # Return the value of the lowest common ancestor of the nodes p and q.
    pass
