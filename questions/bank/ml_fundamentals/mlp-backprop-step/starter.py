import numpy as np


def mlp_gradients(X, Y, W1, b1, W2, b2):
    X, Y, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (X, Y, W1, b1, W2, b2))
    # Forward: H = relu(X W1 + b1), Z = H W2 + b2, L = mean((Z - Y)^2).
    # Backward: return {"W1": dL/dW1, "b1": dL/db1, "W2": dL/dW2, "b2": dL/db2}.
    raise NotImplementedError
