import numpy as np


def _mean_log_loss(X, y, w):
    z = X @ w
    # log(1 + e^z) - y*z, computed stably
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def step_lowers_loss_and_keeps_inputs(logistic_step):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 8))
    y = (rng.random(500) < 0.4).astype(float)
    w = rng.normal(size=8)
    X_copy, y_copy, w_copy = X.copy(), y.copy(), w.copy()
    new_w = np.asarray(logistic_step(X, y, w, 0.05), dtype=float)
    assert new_w.shape == (8,), f"expected 8 weights, got shape {new_w.shape}"
    assert np.all(np.isfinite(new_w)), "some weights are not finite"
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy), "X or y was modified"
    assert np.array_equal(w, w_copy), "the input weights were modified in place"
    before, after = _mean_log_loss(X, y, w), _mean_log_loss(X, y, new_w)
    assert after < before, f"a small step should lower the loss ({before:.6f} -> {after:.6f})"
