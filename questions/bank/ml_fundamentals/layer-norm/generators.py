import numpy as np


def rows_of_very_different_scales():
    """The same rows twice: once with gamma = 1, beta = 0 (the bare normalisation), once with a random affine."""
    rng = np.random.default_rng(5)
    n, d = 400, 48
    x = rng.normal(size=(n, d)) * rng.uniform(0.01, 1000.0, size=(n, 1)) + rng.uniform(-1e4, 1e4, size=(n, 1))
    gamma = rng.normal(size=d)
    beta = rng.normal(size=d)
    return {"calls": [[x, np.ones(d), np.zeros(d)], [x, gamma, beta]]}


def transformer_activations():
    rng = np.random.default_rng(17)
    batch, seq, d = 8, 64, 96
    x = rng.normal(loc=3.0, scale=2.0, size=(batch, seq, d))
    gamma = rng.uniform(0.5, 1.5, size=d)
    beta = rng.normal(scale=0.1, size=d)
    return [x.tolist(), gamma.tolist(), beta.tolist()]
