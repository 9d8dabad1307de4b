# Wrong on purpose: breaks ties towards the highest centroid index.
import numpy as np


def assign_clusters(points, centroids):
    points = np.asarray(points, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    squared = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    k = centroids.shape[0]
    return (k - 1 - np.argmin(squared[:, ::-1], axis=1)).tolist()
