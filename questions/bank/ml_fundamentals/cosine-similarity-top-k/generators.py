import numpy as np


def large_embedding_matrix():
    rng = np.random.default_rng(2024)
    n, d = 5000, 64
    # Rows of very different lengths, so ranking by dot product would be wrong.
    matrix = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0, size=(n, 1))
    query = rng.normal(size=d)
    return [matrix.tolist(), query.tolist(), 10]
