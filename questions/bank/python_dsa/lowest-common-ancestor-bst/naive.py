from collections import deque


class TreeNode:
    def __init__(self, val: int, parent: "TreeNode | None") -> None:
        self.val = val
        self.parent = parent
        self.left: TreeNode | None = None
        self.right: TreeNode | None = None


def lowest_common_ancestor(values: list[int | None], p: int, q: int) -> int:
    # Correct but O(n * height): ignores the search-tree order, and for each
    # ancestor of p, from p upwards, searches that ancestor's whole subtree for q.
    root = TreeNode(values[0], None)
    nodes = [root]
    parents = deque([root])
    i = 1
    while parents and i < len(values):
        node = parents.popleft()
        if values[i] is not None:
            node.left = TreeNode(values[i], node)
            parents.append(node.left)
            nodes.append(node.left)
        i += 1
        if i < len(values) and values[i] is not None:
            node.right = TreeNode(values[i], node)
            parents.append(node.right)
            nodes.append(node.right)
        i += 1
    ancestor = next(node for node in nodes if node.val == p)
    while ancestor is not None:
        stack = [ancestor]
        while stack:
            node = stack.pop()
            if node.val == q:
                return ancestor.val
            if node.left is not None:
                stack.append(node.left)
            if node.right is not None:
                stack.append(node.right)
        ancestor = ancestor.parent
    raise ValueError("p and q must both be in the tree")
