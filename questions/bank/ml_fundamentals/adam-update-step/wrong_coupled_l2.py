# Wrong on purpose: Adam with L2 regularisation (weight decay added to the gradient, so it is
# rescaled by the moments) instead of AdamW's decoupled weight decay.
import numpy as np


def adamw_steps(params, grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    theta = np.array(params, dtype=float)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=float) + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return theta
