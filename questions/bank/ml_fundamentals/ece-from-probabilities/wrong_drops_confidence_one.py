# Wrong on purpose: floor(confidence * n_bins) without clipping puts a confidence of exactly
# 1 in bin n_bins, which does not exist, so those samples are silently dropped.
import numpy as np


def expected_calibration_error(probs, labels, n_bins=10):
    probs = np.asarray(probs, dtype=float)
    labels = np.asarray(labels)
    confidences = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    bins = (confidences * n_bins).astype(int)
    counts = np.bincount(bins, minlength=n_bins + 1)[:n_bins]
    confidence_sums = np.bincount(bins, weights=confidences, minlength=n_bins + 1)[:n_bins]
    correct_sums = np.bincount(bins, weights=correct, minlength=n_bins + 1)[:n_bins]
    return float(np.abs(correct_sums - confidence_sums).sum() / counts.sum())
