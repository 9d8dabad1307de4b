# Wrong on purpose: normalizes the columns of the matrix instead of its rows.
import numpy as np


def top_k_similar(matrix, query, k):
    matrix = np.asarray(matrix, dtype=float)
    query = np.asarray(query, dtype=float)
    normalized = matrix / np.linalg.norm(matrix, axis=0, keepdims=True)
    similarities = normalized @ (query / np.linalg.norm(query))
    return np.argsort(-similarities, kind="stable")[:k].tolist()
