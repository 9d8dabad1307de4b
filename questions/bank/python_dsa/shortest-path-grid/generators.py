import random


def winding_maze():
    # 499 x 500: every other row is a wall with one to three gaps, so the path
    # zig-zags across the grid about 250 times (about 27,000 steps). Scanning the
    # whole grid once per step costs several billion cell visits.
    rng = random.Random(5)
    rows, cols = 499, 500
    grid = []
    for r in range(rows):
        if r % 2 == 0:
            grid.append([0] * cols)
        else:
            row = [1] * cols
            for c in rng.sample(range(cols), rng.randint(1, 3)):
                row[c] = 0
            grid.append(row)
    return [grid]


def random_obstacles():
    # 500 x 500 with about a quarter of the cells walls, start and end open.
    rng = random.Random(6)
    grid = [[1 if rng.random() < 0.25 else 0 for _ in range(500)] for _ in range(500)]
    grid[0][0] = grid[-1][-1] = 0
    return [grid]
