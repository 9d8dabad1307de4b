import numpy as np


def expected_calibration_error(probs, labels, n_bins=10):
    probs = np.asarray(probs, dtype=float)
    labels = np.asarray(labels)
    # Group the samples by their confidence (the largest probability) into n_bins
    # equal-width bins, then average |accuracy - confidence| over the bins, weighted by size.
    raise NotImplementedError
