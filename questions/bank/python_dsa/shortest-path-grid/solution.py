def shortest_path(grid: list[list[int]]) -> int:
    rows, cols = len(grid), len(grid[0])
    if grid[0][0] or grid[rows - 1][cols - 1]:
        return -1
    # Flatten into one byte per cell, with a border of walls on every side, so
    # the four neighbours of a cell are +1, -1, +width and -width.
    width = cols + 2
    blocked = bytearray([1]) * (width * (rows + 2))
    for r, row in enumerate(grid):
        start = (r + 1) * width + 1
        blocked[start:start + cols] = bytes(row)
    source, target = width + 1, rows * width + cols
    if source == target:
        return 0
    # Breadth-first search, one layer of cells per step.
    blocked[source] = 1
    frontier = [source]
    steps = 0
    while frontier:
        steps += 1
        next_frontier = []
        for cell in frontier:
            for neighbour in (cell + 1, cell - 1, cell + width, cell - width):
                if not blocked[neighbour]:
                    if neighbour == target:
                        return steps
                    blocked[neighbour] = 1
                    next_frontier.append(neighbour)
        frontier = next_frontier
    return -1
