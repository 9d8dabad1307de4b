"""The checker: recomputes the AdamW steps here and judges what the candidate returned and left
in its arguments, as plain data (no candidate code runs here)."""

import numpy as np


def _adamw(params, grads, lr, weight_decay, beta1=0.9, beta2=0.999, eps=1e-8):
    theta, m, v = params.astype(float), np.zeros(params.shape), np.zeros(params.shape)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * ((m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps) + weight_decay * theta)
    return theta


def invariant_to_gradient_scale(calls):
    results = []
    for call in calls:
        params, grads = call["args"]
        got = np.asarray(call["result"], dtype=float)
        assert got.shape == params.shape, f"expected shape {params.shape}, got {got.shape}"
        assert np.all(np.isfinite(got)), "some parameters are not finite"
        after = np.asarray(call["args_after"][0], dtype=float)
        assert np.array_equal(after, params), "the input params were modified in place"
        expected = _adamw(params, grads, **call["kwargs"])
        # Steps of ~0.01; float64 rounding ~1e-17, so 1e-10 allows any order of operations.
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-10), "these are not the parameters after the AdamW steps"
        results.append(got)
    # Gradients ~1 vs ~1000: eps = 1e-8 only matters where the gradient RMS is tiny (down to
    # ~1e-3 here), shifting a step of lr = 0.01 by ~1e-7 at most (8e-9 measured).
    assert np.allclose(results[0], results[1], rtol=0, atol=1e-7), "multiplying every gradient by 1000 must (almost) not change Adam's steps"
