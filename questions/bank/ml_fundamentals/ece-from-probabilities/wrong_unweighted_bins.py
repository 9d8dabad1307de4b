# Wrong on purpose: averages |accuracy - confidence| over the non-empty bins without
# weighting each bin by its share of the samples.
import numpy as np


def expected_calibration_error(probs, labels, n_bins=10):
    probs = np.asarray(probs, dtype=float)
    labels = np.asarray(labels)
    confidences = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    gaps = [abs(correct[bins == b].mean() - confidences[bins == b].mean()) for b in range(n_bins) if np.any(bins == b)]
    return float(np.mean(gaps))
