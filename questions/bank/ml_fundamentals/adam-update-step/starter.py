import numpy as np


def adamw_steps(params, grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    theta = np.array(params, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    # For t = 1, 2, ...: update m and v with grads[t - 1], correct their bias, take the step.
    raise NotImplementedError
