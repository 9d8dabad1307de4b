# Wrong on purpose: uses (y - p), so it climbs the loss instead of descending it.
import numpy as np


def logistic_step(X, y, w, lr):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return w - lr * (X.T @ (y - p)) / len(y)
