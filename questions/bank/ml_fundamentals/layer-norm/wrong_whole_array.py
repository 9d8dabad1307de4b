# Wrong on purpose: one mean and variance for the whole array instead of one per vector.
import numpy as np


def layer_norm(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    return (x - x.mean()) / np.sqrt(x.var() + eps) * np.asarray(gamma, dtype=float) + np.asarray(beta, dtype=float)
