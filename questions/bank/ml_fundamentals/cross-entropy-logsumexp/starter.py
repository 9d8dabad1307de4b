import numpy as np


def cross_entropy(logits, labels):
    z = np.asarray(logits, dtype=float)
    labels = np.asarray(labels, dtype=int)
    # Return the mean over the rows of -log softmax(z[i])[labels[i]], as a float.
    raise NotImplementedError
