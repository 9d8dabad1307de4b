# Wrong on purpose: exponentiates the raw scores, which overflows to inf/inf = nan for large scores.
import numpy as np


def attention(Q, K, V, mask=None):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    weights = np.exp(Q @ K.T / np.sqrt(Q.shape[1]))
    if mask is not None:
        weights = weights * np.asarray(mask, dtype=bool)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights @ V, weights
