# Wrong on purpose: overflows for large logits.
import numpy as np


def softmax(logits):
    exp = np.exp(np.asarray(logits, dtype=float))
    return exp / exp.sum(axis=1, keepdims=True)
