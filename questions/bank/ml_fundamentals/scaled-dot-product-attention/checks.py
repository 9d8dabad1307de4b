"""The checker: judges what the candidate's attention returned, as plain data (no candidate code runs here)."""

import numpy as np


def weights_are_distributions_over_allowed_keys(calls):
    (call,) = calls
    Q, K, V, mask = call["args"]
    assert isinstance(call["result"], (list, tuple)) and len(call["result"]) == 2, "return (output, weights)"
    output = np.asarray(call["result"][0], dtype=float)
    weights = np.asarray(call["result"][1], dtype=float)
    n_q, n_k, d_v = Q.shape[0], K.shape[0], V.shape[1]
    assert weights.shape == (n_q, n_k), f"weights: expected shape {(n_q, n_k)}, got {weights.shape}"
    assert output.shape == (n_q, d_v), f"output: expected shape {(n_q, d_v)}, got {output.shape}"
    assert np.all(np.isfinite(weights)) and np.all(np.isfinite(output)), "some values are not finite"
    assert np.all(weights >= 0), "some weights are negative"
    # Sums of up to 200 float64 terms: 1e-9 leaves room for any summation order.
    assert np.allclose(weights.sum(axis=1), 1.0, rtol=0, atol=1e-9), "rows of weights do not sum to 1 (softmax over the keys)"
    assert np.all(weights[~mask] <= 1e-12), "a masked key got non-zero weight"
    assert np.allclose(output, weights @ V, rtol=1e-7, atol=1e-9), "output is not weights @ V"
    # And the values themselves, recomputed here.
    scores = np.where(mask, Q @ K.T / np.sqrt(Q.shape[1]), -np.inf)
    expected = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    assert np.allclose(weights, expected, rtol=1e-6, atol=1e-9), "the weights are not softmax(Q K^T / sqrt(d_k)) over the allowed keys"
