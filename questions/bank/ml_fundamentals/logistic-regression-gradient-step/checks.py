"""The checker: judges what the candidate's step returned, and what it left in its
arguments, as plain data (no candidate code runs here)."""

import numpy as np


def _mean_log_loss(X, y, w):
    z = X @ w
    # log(1 + e^z) - y*z, computed stably
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def step_lowers_loss_and_keeps_inputs(calls):
    (call,) = calls
    X, y, w, _ = call["args"]
    new_w = np.asarray(call["result"], dtype=float)
    assert new_w.shape == (8,), f"expected 8 weights, got shape {new_w.shape}"
    assert np.all(np.isfinite(new_w)), "some weights are not finite"
    X_after, y_after, w_after, _ = call["args_after"]
    assert np.array_equal(np.asarray(X_after), X) and np.array_equal(np.asarray(y_after), y), "X or y was modified"
    assert np.array_equal(np.asarray(w_after), w), "the input weights were modified in place"
    before, after = _mean_log_loss(X, y, w), _mean_log_loss(X, y, new_w)
    assert after < before, f"a small step should lower the loss ({before:.6f} -> {after:.6f})"
