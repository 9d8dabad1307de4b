"""The checker: compares the candidate's gradients with central finite differences of the
loss, computed here (no candidate code runs here)."""

import numpy as np

NAMES = ("W1", "b1", "W2", "b2")


def _loss(X, Y, W1, b1, W2, b2):
    H = np.maximum(X @ W1 + b1, 0.0)
    return np.mean((H @ W2 + b2 - Y) ** 2)


def matches_numerical_gradients(calls):
    (call,) = calls
    X, Y, *params = call["args"]
    result = call["result"]
    assert isinstance(result, dict), 'return a dict {"W1": ..., "b1": ..., "W2": ..., "b2": ...}'
    assert set(result) == set(NAMES), f"expected the keys {list(NAMES)}, got {sorted(result)}"
    # The generator's pre-activations are all at least 1e-3 away from the ReLU's kink,
    # so a step of 1e-6 never crosses it.
    pre = X @ params[0] + params[1]
    assert np.abs(pre).min() > 1e-3
    step = 1e-6
    for name, param in zip(NAMES, params):
        grad = np.asarray(result[name], dtype=float)
        assert grad.shape == param.shape, f"{name}: expected shape {param.shape}, got {grad.shape}"
        assert np.all(np.isfinite(grad)), f"{name}: some gradients are not finite"
        numeric = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            original = param[index]
            param[index] = original + step
            up = _loss(X, Y, *params)
            param[index] = original - step
            down = _loss(X, Y, *params)
            param[index] = original
            numeric[index] = (up - down) / (2 * step)
        # Central differences: truncation ~step² and rounding ~1e-16 / step ≈ 1e-10, far below 1e-6.
        worst = np.abs(grad - numeric).max()
        assert np.allclose(grad, numeric, rtol=1e-5, atol=1e-7), f"{name} differs from the numerical gradient by up to {worst:.3g}"
