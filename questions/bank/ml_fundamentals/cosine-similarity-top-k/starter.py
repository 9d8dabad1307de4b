import numpy as np


def top_k_similar(matrix, query, k):
    matrix = np.asarray(matrix, dtype=float)
    query = np.asarray(query, dtype=float)
    # Return the indices of the k rows with the highest cosine similarity to query.
    raise NotImplementedError
