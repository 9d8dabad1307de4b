def num_islands(grid: list[list[str]]) -> int:
    if not grid or not grid[0]:
        return 0
    rows, cols = len(grid), len(grid[0])
    # Flatten into one byte per cell, with a border of water on every side, so
    # the four neighbours of a cell are +1, -1, +width and -width.
    width = cols + 2
    land = bytearray(width * (rows + 2))
    for r, row in enumerate(grid):
        start = (r + 1) * width + 1
        land[start:start + cols] = bytes(cell == "1" for cell in row)
    islands = 0
    cell = land.find(1)
    while cell != -1:
        islands += 1
        land[cell] = 0  # sink the island as we explore it, iteratively
        stack = [cell]
        while stack:
            current = stack.pop()
            for neighbour in (current + 1, current - 1, current + width, current - width):
                if land[neighbour]:
                    land[neighbour] = 0
                    stack.append(neighbour)
        cell = land.find(1, cell + 1)
    return islands
