import random


def large_sparse_obstacles():
    # 200 x 200 with about 5% obstacles (start and goal kept free): astronomically
    # many paths, so the count is taken modulo 10**9 + 7.
    rng = random.Random(111)
    grid = [[1 if rng.random() < 0.05 else 0 for _ in range(200)] for _ in range(200)]
    grid[0][0] = grid[-1][-1] = 0
    return [grid]


def large_wall_with_one_gap():
    # 150 x 200, free except a wall across row 75 with a single gap in column 123.
    grid = [[0] * 200 for _ in range(150)]
    grid[75] = [1] * 200
    grid[75][123] = 0
    return [grid]
