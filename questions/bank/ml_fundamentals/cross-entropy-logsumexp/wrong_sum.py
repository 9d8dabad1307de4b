# Wrong on purpose: sums the per-example losses instead of averaging them.
import numpy as np


def cross_entropy(logits, labels):
    z = np.asarray(logits, dtype=float)
    labels = np.asarray(labels, dtype=int)
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    return float(np.sum(lse - z[np.arange(len(z)), labels]))
