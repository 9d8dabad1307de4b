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


def level_order(values: list[int | None]) -> list[list[int]]:
    root = build_tree(values)
    if root is None:
        return []
    levels: list[list[int]] = []
    level = [root]
    while level:
        levels.append([node.val for node in level])
        next_level = []
        for node in level:
            if node.left is not None:
                next_level.append(node.left)
            if node.right is not None:
                next_level.append(node.right)
        level = next_level
    return levels
