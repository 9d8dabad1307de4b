# Wrong on purpose: drops the 2 from the derivative of the square.
import numpy as np


def mlp_gradients(X, Y, W1, b1, W2, b2):
    X, Y, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (X, Y, W1, b1, W2, b2))
    A = X @ W1 + b1
    H = np.maximum(A, 0.0)
    Z = H @ W2 + b2
    dZ = (Z - Y) / Z.size
    dA = (dZ @ W2.T) * (A > 0)
    return {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dZ, "b2": dZ.sum(axis=0)}
