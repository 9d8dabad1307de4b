MOD = 1_000_000_007


def unique_paths_with_obstacles(grid: list[list[int]]) -> int:
    # Correct but exponential: walks every path, without remembering the counts of
    # cells already explored.
    rows, cols = len(grid), len(grid[0])

    def count(r: int, c: int) -> int:
        if r >= rows or c >= cols or grid[r][c] == 1:
            return 0
        if r == rows - 1 and c == cols - 1:
            return 1
        return count(r + 1, c) + count(r, c + 1)

    return count(0, 0) % MOD
