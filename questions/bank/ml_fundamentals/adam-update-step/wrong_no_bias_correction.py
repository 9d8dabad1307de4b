# Wrong on purpose: no bias correction, so the first steps are far too small
# (m and v start at zero and are biased towards it).
import numpy as np


def adamw_steps(params, grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    theta = np.array(params, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for g in grads:
        g = np.asarray(g, dtype=float)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * (m / (np.sqrt(v) + eps) + weight_decay * theta)
    return theta
