import numpy as np


def attention(Q, K, V, mask=None):
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    # Score every query against every key, apply the mask, take a softmax over the
    # keys, and return (output, weights).
    raise NotImplementedError
