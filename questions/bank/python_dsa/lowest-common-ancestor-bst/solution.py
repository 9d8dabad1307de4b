from collections import deque


class TreeNode:
    __slots__ = ("val", "left", "right")

    def __init__(self, val: int) -> None:
        self.val = val
        self.left: TreeNode | None = None
        self.right: TreeNode | None = None


def build_tree(values: list[int | None]) -> TreeNode | None:
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    parents = deque([root])
    i = 1
    while parents and i < len(values):
        node = parents.popleft()
        if values[i] is not None:
            node.left = TreeNode(values[i])
            parents.append(node.left)
        i += 1
        if i < len(values) and values[i] is not None:
            node.right = TreeNode(values[i])
            parents.append(node.right)
        i += 1
    return root


def lowest_common_ancestor(values: list[int | None], p: int, q: int) -> int:
    low, high = min(p, q), max(p, q)
    node = build_tree(values)
    # Walk down from the root until p and q are no longer on the same side.
    while node is not None:
        if high < node.val:
            node = node.left
        elif low > node.val:
            node = node.right
        else:
            return node.val
    raise ValueError("p and q must both be in the tree")
