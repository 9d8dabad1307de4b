# Wrong on purpose: ranks by the raw dot product, so long vectors win regardless of direction.
import numpy as np


def top_k_similar(matrix, query, k):
    matrix = np.asarray(matrix, dtype=float)
    query = np.asarray(query, dtype=float)
    return np.argsort(-(matrix @ query), kind="stable")[:k].tolist()
