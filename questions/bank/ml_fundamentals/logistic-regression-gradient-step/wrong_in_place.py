# Wrong on purpose: the right step, but taken in place, so the caller's weights change too.
import numpy as np


def logistic_step(X, y, w, lr):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    z = X @ w
    p = np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))
    w -= lr * (X.T @ (p - y)) / X.shape[0]
    return w
