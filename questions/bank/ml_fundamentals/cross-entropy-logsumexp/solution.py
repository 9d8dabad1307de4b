import numpy as np


def cross_entropy(logits, labels):
    z = np.asarray(logits, dtype=float)
    labels = np.asarray(labels, dtype=int)
    # log-sum-exp shifted by each row's maximum: exp() never sees a positive number.
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    # -log softmax(z)[y] = logsumexp(z) - z[y]
    correct = z[np.arange(z.shape[0]), labels]
    return float(np.mean(lse - correct))
