import numpy as np


def scaled_gradients():
    """The same ten steps twice: with gradients g, then with 1000·g (Adam is invariant to that scale)."""
    rng = np.random.default_rng(12)
    params = rng.normal(size=(30, 4))
    grads = rng.normal(size=(10, 30, 4))
    kwargs = {"lr": 0.01, "weight_decay": 0.1}
    return {"calls": [{"args": [params, grads], "kwargs": kwargs}, {"args": [params.copy(), grads * 1000.0], "kwargs": kwargs}]}


def many_parameters():
    rng = np.random.default_rng(77)
    params = rng.normal(size=20000)
    grads = rng.normal(scale=rng.uniform(1e-6, 10.0, size=20000), size=(8, 20000))
    return {"args": [params.tolist(), grads.tolist()], "kwargs": {"lr": 3e-4, "beta2": 0.98, "weight_decay": 0.01}}
