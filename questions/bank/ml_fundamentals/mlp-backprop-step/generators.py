import numpy as np


def _network(rng, n, d, h, k):
    X = rng.normal(size=(n, d))
    Y = rng.normal(size=(n, k))
    W1 = rng.normal(scale=1.0 / np.sqrt(d), size=(d, h))
    b1 = rng.normal(scale=0.1, size=h)
    W2 = rng.normal(scale=1.0 / np.sqrt(h), size=(h, k))
    b2 = rng.normal(scale=0.1, size=k)
    return X, Y, W1, b1, W2, b2


def small_network_for_numerical_gradients():
    """Shapes chosen all different (n=6, d=5, h=7, k=3), so a transposed product cannot pass."""
    rng = np.random.default_rng(42)
    return list(_network(rng, 6, 5, 7, 3))


def large_batch():
    rng = np.random.default_rng(314)
    return [a.tolist() for a in _network(rng, 2000, 40, 64, 10)]
