import numpy as np


def expected_calibration_error(probs, labels, n_bins=10):
    probs = np.asarray(probs, dtype=float)
    labels = np.asarray(labels)
    # Top-label confidence and correctness; argmax takes the lowest index among ties.
    predictions = probs.argmax(axis=1)
    confidences = probs.max(axis=1)
    correct = (predictions == labels).astype(float)
    # Bins [b/M, (b+1)/M); the last bin is closed, so a confidence of exactly 1 falls in it.
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    confidence_sums = np.bincount(bins, weights=confidences, minlength=n_bins)
    correct_sums = np.bincount(bins, weights=correct, minlength=n_bins)
    # Exact up to float64 summation order (about 1e-12 here), hence float_tolerance 1e-9.
    # sum_b (n_b / N) |acc_b - conf_b| = sum_b |correct_b - confidence_b| / N: empty bins add 0.
    return float(np.abs(correct_sums - confidence_sums).sum() / len(confidences))
