# Wrong on purpose: counts land cells with no land above or to the left, which
# counts a U-shaped island once per arm.
def num_islands(grid: list[list[str]]) -> int:
    islands = 0
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell == "1":
                up = r > 0 and grid[r - 1][c] == "1"
                left = c > 0 and row[c - 1] == "1"
                if not up and not left:
                    islands += 1
    return islands
