from collections import deque


class TreeNode:
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
    # Correct but O(n * height): walks the tree again from the root for every level.
    root = build_tree(values)
    levels: list[list[int]] = []
    depth = 0
    while root is not None:
        level = []
        stack = [(root, 0)]
        while stack:
            node, d = stack.pop()
            if d == depth:
                level.append(node.val)
                continue
            if node.right is not None:
                stack.append((node.right, d + 1))
            if node.left is not None:
                stack.append((node.left, d + 1))
        if not level:
            break
        levels.append(level)
        depth += 1
    return levels
