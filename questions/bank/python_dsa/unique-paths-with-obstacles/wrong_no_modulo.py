# Wrong on purpose: returns the exact count, forgetting the modulo 1_000_000_007
# the answer must be reduced by.
def unique_paths_with_obstacles(grid: list[list[int]]) -> int:
    cols = len(grid[0])
    paths = [0] * cols
    paths[0] = 1
    for row in grid:
        for c in range(cols):
            if row[c] == 1:
                paths[c] = 0
            elif c > 0:
                paths[c] += paths[c - 1]
    return paths[-1]
