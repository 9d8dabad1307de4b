import numpy as np


def large_random_batch():
    rng = np.random.default_rng(8)
    n, c = 5000, 100
    logits = rng.normal(scale=1000.0, size=(n, c))
    labels = rng.integers(0, c, size=n)
    return [logits.tolist(), labels.tolist()]


def shifted_rows():
    """The same batch twice: as drawn, then with a different constant (up to ±1e4) added to each row."""
    rng = np.random.default_rng(21)
    n, c = 300, 12
    logits = rng.normal(scale=3.0, size=(n, c))
    labels = rng.integers(0, c, size=n)
    shifts = rng.uniform(-1e4, 1e4, size=(n, 1))
    return {"calls": [[logits, labels], [logits + shifts, labels]]}
