import numpy as np


def scaling_rows_does_not_change_ranking(top_k_similar):
    rng = np.random.default_rng(99)
    matrix = rng.normal(size=(300, 12))
    query = rng.normal(size=12)
    first = [int(i) for i in np.asarray(top_k_similar(matrix.copy(), query.copy(), 15)).ravel()]
    assert len(first) == 15, f"expected 15 indices, got {len(first)}"
    assert len(set(first)) == 15, "the indices must be distinct"
    assert all(0 <= i < 300 for i in first), "an index is out of range"
    scales = rng.uniform(0.01, 100.0, size=(300, 1))
    second = [int(i) for i in np.asarray(top_k_similar(matrix * scales, query * 7.5, 15)).ravel()]
    assert first == second, "rescaling rows or the query by positive factors must not change the result"
