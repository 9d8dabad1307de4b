def num_islands(grid: list[list[str]]) -> int:
    # grid[r][c] is "1" for land and "0" for water.
    # Return the number of islands (4-directionally connected groups of land).
    pass
