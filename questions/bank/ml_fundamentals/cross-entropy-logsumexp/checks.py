"""The checker: judges what the candidate's cross-entropy returned, as plain data (no candidate code runs here)."""

import numpy as np


def _as_float(result):
    value = np.asarray(result, dtype=float)
    assert value.size == 1, f"return one number (the mean loss), got {value.size} values"
    return float(value.ravel()[0])


def adding_a_constant_to_a_row_changes_nothing(calls):
    plain_call, shifted_call = calls
    logits, labels = plain_call["args"]
    plain = _as_float(plain_call["result"])
    shifted = _as_float(shifted_call["result"])
    assert np.isfinite(plain) and np.isfinite(shifted), "the loss is not finite"
    m = logits.max(axis=1)
    expected = float(np.mean(m + np.log(np.exp(logits - m[:, None]).sum(axis=1)) - logits[np.arange(len(labels)), labels]))
    # Values are ~2.5; 1e-9 relative leaves room for any summation order.
    assert abs(plain - expected) <= 1e-9 * abs(expected), f"expected a mean loss of {expected:.10f}, got {plain:.10f}"
    # Shifted logits near ±1e4 lose about 1e4 * 2.2e-16 ≈ 2e-12 of absolute precision per value.
    assert abs(shifted - plain) <= 1e-8, (
        f"adding a constant to a row of logits must not change the loss ({plain:.10f} -> {shifted:.10f})"
    )
