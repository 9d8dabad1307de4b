# Wrong on purpose: zeroes the masked weights after the softmax and does not renormalise,
# so the rows of weights no longer sum to 1.
import numpy as np


def attention(Q, K, V, mask=None):
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    if mask is not None:
        weights = weights * np.asarray(mask, dtype=bool)
    return weights @ V, weights
