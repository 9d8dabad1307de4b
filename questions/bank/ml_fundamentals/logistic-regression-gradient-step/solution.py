import numpy as np


def _sigmoid(z):
    # Never calls exp on a large positive number: stable for any z.
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1.0 + ez)
    return out


def logistic_step(X, y, w, lr):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    p = _sigmoid(X @ w)
    gradient = X.T @ (p - y) / X.shape[0]
    return w - lr * gradient
