"""The checker: judges what the candidate's function returned, as plain data (no candidate code runs here)."""

import numpy as np


def _indices(result, rows, k):
    indices = np.asarray(result).ravel()
    assert indices.size == k, f"expected {k} indices, got {indices.size}"
    assert np.issubdtype(indices.dtype, np.number), "the result must be a list of row indices"
    assert np.all(indices == np.round(indices)), "the indices must be whole numbers"
    indices = [int(i) for i in indices]
    assert len(set(indices)) == k, "the indices must be distinct"
    assert all(0 <= i < rows for i in indices), "an index is out of range"
    return indices


def scaling_rows_does_not_change_ranking(calls):
    first_call, second_call = calls
    matrix, query, k = first_call["args"]
    first = _indices(first_call["result"], len(matrix), k)
    second = _indices(second_call["result"], len(matrix), k)
    # The property, and the answer itself: the k most similar rows, ties by lower index.
    similarities = (matrix @ query) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    best = np.argsort(-similarities, kind="stable")[:k].tolist()
    assert first == best, "these are not the rows most similar to the query"
    assert first == second, "rescaling rows or the query by positive factors must not change the result"
