import random


def large_random_map():
    # 700 x 700 cells, each land with probability one half: about 32,000 islands,
    # so rescanning the grid after each island costs about 10**10 cell visits.
    rng = random.Random(11)
    return [[["1" if rng.random() < 0.5 else "0" for _ in range(700)] for _ in range(700)]]
