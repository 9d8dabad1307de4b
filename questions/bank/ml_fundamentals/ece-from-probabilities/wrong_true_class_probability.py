# Wrong on purpose: uses the probability given to the true label as the confidence,
# instead of the largest probability (the confidence of the predicted class).
import numpy as np


def expected_calibration_error(probs, labels, n_bins=10):
    probs = np.asarray(probs, dtype=float)
    labels = np.asarray(labels)
    confidences = probs[np.arange(len(labels)), labels]
    correct = (probs.argmax(axis=1) == labels).astype(float)
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    confidence_sums = np.bincount(bins, weights=confidences, minlength=n_bins)
    correct_sums = np.bincount(bins, weights=correct, minlength=n_bins)
    return float(np.abs(correct_sums - confidence_sums).sum() / counts.sum())
