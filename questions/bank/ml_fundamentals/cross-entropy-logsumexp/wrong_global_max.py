# Wrong on purpose: shifts by the maximum of the whole batch instead of each row's, so a
# row far below the global maximum underflows to log(0) = -inf.
import numpy as np


def cross_entropy(logits, labels):
    z = np.asarray(logits, dtype=float)
    labels = np.asarray(labels, dtype=int)
    m = z.max()
    with np.errstate(divide="ignore"):
        lse = m + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(z)), labels]))
