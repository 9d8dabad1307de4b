import numpy as np


def large_embedding_matrix():
    rng = np.random.default_rng(2024)
    n, d = 5000, 64
    # Rows of very different lengths, so ranking by dot product would be wrong.
    matrix = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0, size=(n, 1))
    query = rng.normal(size=d)
    return [matrix.tolist(), query.tolist(), 10]


def rescaled_pair():
    """The same rows and query twice: as drawn, then each row and the query scaled by a positive factor."""
    rng = np.random.default_rng(99)
    matrix = rng.normal(size=(300, 12))
    query = rng.normal(size=12)
    scales = rng.uniform(0.01, 100.0, size=(300, 1))
    return {"calls": [[matrix, query, 15], [matrix * scales, query * 7.5, 15]]}
