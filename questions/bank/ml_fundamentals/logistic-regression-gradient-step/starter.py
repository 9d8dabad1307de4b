import numpy as np


def logistic_step(X, y, w, lr):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    # Compute the predictions, the gradient of the mean log-loss, and take one step.
    raise NotImplementedError
