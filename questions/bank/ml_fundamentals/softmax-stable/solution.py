import numpy as np


def softmax(logits):
    x = np.asarray(logits, dtype=float)
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)
