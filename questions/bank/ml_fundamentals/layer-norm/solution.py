import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    # Population variance of the centred values: no cancellation when |mean| >> std.
    var = np.mean(centered**2, axis=-1, keepdims=True)
    normalized = centered / np.sqrt(var + eps)
    return normalized * np.asarray(gamma, dtype=float) + np.asarray(beta, dtype=float)
