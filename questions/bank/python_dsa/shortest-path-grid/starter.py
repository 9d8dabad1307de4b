def shortest_path(grid: list[list[int]]) -> int:
    # grid[r][c] is 0 for an open cell and 1 for a wall.
    # Return the number of steps from the top-left to the bottom-right cell, or -1.
    pass
