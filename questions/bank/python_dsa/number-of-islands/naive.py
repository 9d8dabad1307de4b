from collections import deque


def num_islands(grid: list[list[str]]) -> int:
    # Correct but O(cells * islands): after each island it scans the grid again
    # from the top-left corner for the next unvisited land cell.
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    seen = [[False] * cols for _ in range(rows)]
    islands = 0
    while True:
        start = None
        for r in range(rows):
            for c in range(cols):
                if grid[r][c] == "1" and not seen[r][c]:
                    start = (r, c)
                    break
            if start is not None:
                break
        if start is None:
            return islands
        islands += 1
        seen[start[0]][start[1]] = True
        queue = deque([start])
        while queue:
            r, c = queue.popleft()
            for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] == "1" and not seen[nr][nc]:
                    seen[nr][nc] = True
                    queue.append((nr, nc))
