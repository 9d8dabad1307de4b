# Wrong on purpose: sums the signed gaps and takes the absolute value at the end, so
# overconfident and underconfident bins cancel (it is |overall accuracy - mean confidence|).
import numpy as np


def expected_calibration_error(probs, labels, n_bins=10):
    probs = np.asarray(probs, dtype=float)
    labels = np.asarray(labels)
    confidences = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        in_bin = bins == b
        if np.any(in_bin):
            total += in_bin.mean() * (correct[in_bin].mean() - confidences[in_bin].mean())
    return float(abs(total))
