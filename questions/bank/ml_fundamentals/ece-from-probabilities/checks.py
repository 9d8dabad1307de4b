"""The checker: judges what the candidate's ECE returned, as plain data (no candidate code runs here)."""

import numpy as np


def _number(result):
    value = np.asarray(result, dtype=float)
    assert value.size == 1, f"expected one number, got {value.size} values"
    value = float(value.ravel()[0])
    assert np.isfinite(value), "the ECE is not finite"
    assert 0.0 <= value <= 1.0, f"an ECE lies between 0 and 1, got {value}"
    return value


def same_after_shuffling_and_bounded_by_one_bin(calls):
    binned_call, shuffled_call, one_bin_call = calls
    probs, labels, n_bins = binned_call["args"]
    binned = _number(binned_call["result"])
    shuffled = _number(shuffled_call["result"])
    one_bin = _number(one_bin_call["result"])
    confidences = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(float)
    # With one bin the ECE is |overall accuracy - mean confidence|; with more bins it can only
    # grow (triangle inequality), because over- and underconfident bins no longer cancel.
    overall_gap = abs(correct.mean() - confidences.mean())
    assert abs(one_bin - overall_gap) <= 1e-9, "with n_bins=1 the ECE must be |accuracy - mean confidence| over all samples"
    assert binned >= one_bin - 1e-12, "the ECE with more bins cannot be below the one-bin ECE: take |gap| per bin, then sum"
    assert abs(binned - shuffled) <= 1e-9, "shuffling the samples (with their labels) must not change the ECE"
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    gaps = np.bincount(bins, weights=correct - confidences, minlength=n_bins)
    assert abs(binned - np.abs(gaps).sum() / len(labels)) <= 1e-9, (
        "this is not the expected calibration error of these predictions"
    )
