# Wrong on purpose: adds eps to the standard deviation instead of to the variance.
import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=-1, keepdims=True)
    std = x.std(axis=-1, keepdims=True)
    return (x - mean) / (std + eps) * np.asarray(gamma, dtype=float) + np.asarray(beta, dtype=float)
