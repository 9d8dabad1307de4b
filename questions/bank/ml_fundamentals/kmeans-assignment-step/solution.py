import numpy as np


def assign_clusters(points, centroids):
    points = np.asarray(points, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    # (n, k) squared distances; argmin returns the first (lowest) index on ties.
    diff = points[:, None, :] - centroids[None, :, :]
    squared = np.einsum("nkd,nkd->nk", diff, diff)
    return np.argmin(squared, axis=1).tolist()
