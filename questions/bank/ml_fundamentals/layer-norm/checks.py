"""The checker: judges what the candidate's layer norm returned, as plain data (no candidate code runs here)."""

import numpy as np


def normalised_rows_then_affine(calls):
    plain_call, affine_call = calls
    x, _, _ = plain_call["args"]
    _, gamma, beta = affine_call["args"]
    eps = 1e-5
    plain = np.asarray(plain_call["result"], dtype=float)
    affine = np.asarray(affine_call["result"], dtype=float)
    assert plain.shape == x.shape and affine.shape == x.shape, f"expected shape {x.shape}, got {plain.shape} and {affine.shape}"
    assert np.all(np.isfinite(plain)) and np.all(np.isfinite(affine)), "some values are not finite"
    # With gamma = 1 and beta = 0 every row has mean 0 and variance var / (var + eps) (just under 1).
    var = x.var(axis=1)
    assert np.allclose(plain.mean(axis=1), 0.0, atol=1e-9), "a row of the normalised output does not have mean 0"
    assert np.allclose(plain.var(axis=1), var / (var + eps), rtol=1e-6, atol=1e-9), (
        "a row of the normalised output does not have variance var / (var + eps): normalise each row over the last axis"
    )
    # The affine step is applied per feature, after normalising.
    assert np.allclose(affine, plain * gamma + beta, rtol=1e-7, atol=1e-9), "the output is not gamma * normalised + beta"
