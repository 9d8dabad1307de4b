import numpy as np


def assign_clusters(points, centroids):
    points = np.asarray(points, dtype=float)
    centroids = np.asarray(centroids, dtype=float)
    # Return, for each point, the index of its nearest centroid.
    raise NotImplementedError
