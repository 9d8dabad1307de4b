MOD = 1_000_000_007


def unique_paths_with_obstacles(grid: list[list[int]]) -> int:
    # paths[c] holds the count for column c of the current row: a cell is reached
    # from above (the old paths[c]) or from the left (paths[c - 1]). One row of
    # memory, O(rows * cols) time.
    cols = len(grid[0])
    paths = [0] * cols
    paths[0] = 1
    for row in grid:
        for c in range(cols):
            if row[c] == 1:
                paths[c] = 0
            elif c > 0:
                paths[c] = (paths[c] + paths[c - 1]) % MOD
    return paths[-1]
