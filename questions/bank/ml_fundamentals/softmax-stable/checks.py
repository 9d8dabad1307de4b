"""The checker: judges what the candidate's softmax returned, as plain data (no candidate code runs here)."""

import numpy as np


def rows_sum_to_one(calls):
    (call,) = calls
    logits = call["args"][0]
    probs = np.asarray(call["result"], dtype=float)
    assert probs.shape == logits.shape, f"expected shape {logits.shape}, got {probs.shape}"
    assert np.all(np.isfinite(probs)), "some probabilities are not finite"
    assert np.all(probs >= 0), "some probabilities are negative"
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-9), "rows do not sum to 1"
    assert np.array_equal(probs.argmax(axis=1), logits.argmax(axis=1)), "softmax must keep the largest logit largest"
