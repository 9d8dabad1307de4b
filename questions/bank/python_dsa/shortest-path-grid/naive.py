def shortest_path(grid: list[list[int]]) -> int:
    # Correct but O(rows * cols * path length): finds each layer of the search
    # by scanning the whole grid for the cells reached in the previous step.
    rows, cols = len(grid), len(grid[0])
    if grid[0][0] == 1 or grid[rows - 1][cols - 1] == 1:
        return -1
    dist = [[-1] * cols for _ in range(rows)]
    dist[0][0] = 0
    d = 0
    while dist[rows - 1][cols - 1] == -1:
        reached = False
        for r in range(rows):
            for c in range(cols):
                if dist[r][c] != d:
                    continue
                for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                    if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] == 0 and dist[nr][nc] == -1:
                        dist[nr][nc] = d + 1
                        reached = True
        if not reached:
            return -1
        d += 1
    return dist[rows - 1][cols - 1]
