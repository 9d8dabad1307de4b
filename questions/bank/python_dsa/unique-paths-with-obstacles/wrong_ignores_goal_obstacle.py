# Wrong on purpose: counts paths into the cells next to the goal and adds them up
# without checking whether the goal itself is an obstacle.
MOD = 1_000_000_007


def unique_paths_with_obstacles(grid: list[list[int]]) -> int:
    rows, cols = len(grid), len(grid[0])
    if grid[0][0] == 1:
        return 0
    paths = [[0] * cols for _ in range(rows)]
    paths[0][0] = 1
    for r in range(rows):
        for c in range(cols):
            if (r, c) == (0, 0):
                continue
            if grid[r][c] == 1 and (r, c) != (rows - 1, cols - 1):
                continue
            up = paths[r - 1][c] if r else 0
            left = paths[r][c - 1] if c else 0
            paths[r][c] = (up + left) % MOD
    return paths[-1][-1]
