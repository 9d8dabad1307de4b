import numpy as np


def softmax(logits):
    x = np.asarray(logits, dtype=float)
    # Return an array of the same shape whose rows sum to 1.
    raise NotImplementedError
