import numpy as np


def top_k_similar(matrix, query, k):
    matrix = np.asarray(matrix, dtype=float)
    query = np.asarray(query, dtype=float)
    similarities = (matrix @ query) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    # A stable sort of the negated similarities keeps equal rows in index order.
    order = np.argsort(-similarities, kind="stable")
    return order[:k].tolist()
