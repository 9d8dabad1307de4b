import numpy as np


def causal_batch():
    """A causal (lower-triangular) mask over 200 positions, with scores large enough to overflow a naive exp."""
    rng = np.random.default_rng(7)
    n, d_k, d_v = 200, 32, 16
    Q = rng.normal(scale=25.0, size=(n, d_k))
    K = rng.normal(scale=25.0, size=(n, d_k))
    V = rng.normal(size=(n, d_v))
    mask = np.tril(np.ones((n, n), dtype=bool))
    return [Q, K, V, mask]


def cross_attention_batch():
    """Cross-attention: 300 queries over 500 keys, a random padding-style mask (key columns masked out)."""
    rng = np.random.default_rng(11)
    n_q, n_k, d_k, d_v = 300, 500, 64, 24
    Q = rng.normal(size=(n_q, d_k))
    K = rng.normal(size=(n_k, d_k))
    V = rng.normal(size=(n_k, d_v))
    keep = rng.random(n_k) < 0.7
    keep[0] = True
    mask = np.broadcast_to(keep, (n_q, n_k)).copy()
    return {"args": [Q.tolist(), K.tolist(), V.tolist()], "kwargs": {"mask": mask.tolist()}}
