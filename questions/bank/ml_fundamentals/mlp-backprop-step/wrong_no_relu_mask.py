# Wrong on purpose: backpropagates through the ReLU as if it were the identity.
import numpy as np


def mlp_gradients(X, Y, W1, b1, W2, b2):
    X, Y, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (X, Y, W1, b1, W2, b2))
    H = np.maximum(X @ W1 + b1, 0.0)
    Z = H @ W2 + b2
    dZ = 2.0 * (Z - Y) / Z.size
    dA = dZ @ W2.T
    return {"W1": X.T @ dA, "b1": dA.sum(axis=0), "W2": H.T @ dZ, "b2": dZ.sum(axis=0)}
