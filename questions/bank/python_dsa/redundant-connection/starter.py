def find_redundant_connection(edges: list[list[int]]) -> list[int]:
    # edges holds n links over nodes 1..n: a tree plus one extra link.
    # Return the last link in edges whose removal leaves a tree.
    pass
