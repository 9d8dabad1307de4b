import numpy as np


def attention(Q, K, V, mask=None):
    Q = np.asarray(Q, dtype=float)
    K = np.asarray(K, dtype=float)
    V = np.asarray(V, dtype=float)
    scores = Q @ K.T / np.sqrt(Q.shape[1])
    if mask is not None:
        # Masked keys get a score of -inf, so exp() gives them a weight of exactly 0.
        scores = np.where(np.asarray(mask, dtype=bool), scores, -np.inf)
    # Softmax over the keys (the last axis), shifted by each row's maximum for stability.
    scores = scores - scores.max(axis=1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=1, keepdims=True)
    return weights @ V, weights
