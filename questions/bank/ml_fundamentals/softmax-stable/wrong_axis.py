# Wrong on purpose: normalizes columns instead of rows.
import numpy as np


def softmax(logits):
    x = np.asarray(logits, dtype=float)
    exp = np.exp(x - x.max())
    return exp / exp.sum(axis=0, keepdims=True)
