import numpy as np


def mlp_gradients(X, Y, W1, b1, W2, b2):
    X, Y, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (X, Y, W1, b1, W2, b2))
    # Forward pass.
    A = X @ W1 + b1            # (n, h) pre-activations
    H = np.maximum(A, 0.0)     # (n, h)
    Z = H @ W2 + b2            # (n, k) outputs
    # Backward pass. L = mean over all n*k entries of (Z - Y)^2.
    dZ = 2.0 * (Z - Y) / Z.size
    dW2 = H.T @ dZ             # (h, k)
    db2 = dZ.sum(axis=0)       # (k,)  summed over the batch: dZ already carries the 1/(n k)
    dH = dZ @ W2.T             # (n, h)
    dA = dH * (A > 0)          # ReLU passes the gradient only where it was active
    dW1 = X.T @ dA             # (d, h)
    db1 = dA.sum(axis=0)       # (h,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
