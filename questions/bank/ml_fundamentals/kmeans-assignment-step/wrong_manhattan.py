# Wrong on purpose: uses Manhattan (L1) distance instead of Euclidean distance.
import numpy as np


def assign_clusters(points, centroids):
    points = np.asarray(points, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    distances = np.abs(points[:, None, :] - centroids[None, :, :]).sum(axis=2)
    return np.argmin(distances, axis=1).tolist()
