import numpy as np


def large_batch():
    rng = np.random.default_rng(20240611)
    n, d = 3000, 20
    X = rng.normal(size=(n, d))
    X[:, 0] = 1.0
    true_w = rng.normal(scale=2.0, size=d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ true_w)))).astype(int)
    w = rng.normal(scale=0.5, size=d)
    return [X.tolist(), y.tolist(), w.tolist(), 0.3]


def small_step_batch():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 8))
    y = (rng.random(500) < 0.4).astype(float)
    w = rng.normal(size=8)
    return [X, y, w, 0.05]
