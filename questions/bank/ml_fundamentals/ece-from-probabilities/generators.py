import numpy as np


def _overconfident_classifier(rng, n, k):
    """Softmax outputs of a sharpened model: labels are drawn from a softer version of the
    same distribution, so the predictions are overconfident, as modern networks tend to be."""
    logits = rng.normal(scale=2.0, size=(n, k))
    sharp = np.exp(2.0 * logits - (2.0 * logits).max(axis=1, keepdims=True))
    probs = sharp / sharp.sum(axis=1, keepdims=True)
    soft = np.exp(logits - logits.max(axis=1, keepdims=True))
    soft /= soft.sum(axis=1, keepdims=True)
    labels = (soft.cumsum(axis=1) < rng.uniform(size=(n, 1))).sum(axis=1)
    return probs, np.minimum(labels, k - 1)


def large_overconfident_classifier():
    rng = np.random.default_rng(31)
    probs, labels = _overconfident_classifier(rng, 20000, 10)
    return [probs.tolist(), labels.tolist(), 15]


def shuffled_and_single_bin():
    """The same predictions three times: as drawn with 15 bins, with the samples shuffled, and with one bin."""
    rng = np.random.default_rng(8)
    probs, labels = _overconfident_classifier(rng, 3000, 5)
    order = rng.permutation(len(labels))
    return {"calls": [[probs, labels, 15], [probs[order], labels[order], 15], [probs, labels, 1]]}
