# Wrong on purpose: sets the whole first row and column to 1 path (unless the cell
# itself is blocked), forgetting that an obstacle cuts off every cell after it.
MOD = 1_000_000_007


def unique_paths_with_obstacles(grid: list[list[int]]) -> int:
    rows, cols = len(grid), len(grid[0])
    paths = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        paths[r][0] = 0 if grid[r][0] else 1
    for c in range(cols):
        paths[0][c] = 0 if grid[0][c] else 1
    for r in range(1, rows):
        for c in range(1, cols):
            if grid[r][c] == 0:
                paths[r][c] = (paths[r - 1][c] + paths[r][c - 1]) % MOD
    return paths[-1][-1]
