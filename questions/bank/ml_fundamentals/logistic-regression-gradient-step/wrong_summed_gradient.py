# Wrong on purpose: sums the per-example gradients instead of averaging them.
import numpy as np


def logistic_step(X, y, w, lr):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return w - lr * (X.T @ (p - y))
