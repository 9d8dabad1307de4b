import numpy as np


def rows_sum_to_one(softmax):
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=30.0, size=(2000, 50))
    probs = np.asarray(softmax(logits), dtype=float)
    assert probs.shape == (2000, 50), f"expected shape (2000, 50), got {probs.shape}"
    assert np.all(np.isfinite(probs)), "some probabilities are not finite"
    assert np.all(probs >= 0), "some probabilities are negative"
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-9), "rows do not sum to 1"
    assert np.array_equal(probs.argmax(axis=1), logits.argmax(axis=1)), "softmax must keep the largest logit largest"
