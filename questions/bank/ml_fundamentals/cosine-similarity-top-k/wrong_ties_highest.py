# Wrong on purpose: reversing an ascending sort puts the higher index first among ties.
import numpy as np


def top_k_similar(matrix, query, k):
    matrix = np.asarray(matrix, dtype=float)
    query = np.asarray(query, dtype=float)
    similarities = (matrix @ query) / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
    return np.argsort(similarities, kind="stable")[::-1][:k].tolist()
