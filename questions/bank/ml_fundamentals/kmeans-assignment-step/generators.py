import numpy as np


def many_float_points():
    rng = np.random.default_rng(11)
    centroids = rng.normal(scale=5.0, size=(12, 16))
    points = centroids[rng.integers(0, 12, size=4000)] + rng.normal(scale=3.0, size=(4000, 16))
    return [points.tolist(), centroids.tolist()]


def many_integer_points_with_ties():
    # Small integer coordinates: distances are exact, and many points are tied
    # between centroids, so the tie rule decides the answer.
    rng = np.random.default_rng(12)
    points = rng.integers(-4, 5, size=(5000, 3))
    centroids = rng.integers(-3, 4, size=(9, 3))
    centroids[5] = centroids[2]  # a duplicated centroid: index 2 must always win over 5
    return [points.tolist(), centroids.tolist()]
