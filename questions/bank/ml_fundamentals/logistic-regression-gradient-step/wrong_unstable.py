# Wrong on purpose: exp(z) / (1 + exp(z)) is inf / inf = nan for large z.
import numpy as np


def logistic_step(X, y, w, lr):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    ez = np.exp(X @ w)
    p = ez / (1.0 + ez)
    return w - lr * (X.T @ (p - y)) / len(y)
