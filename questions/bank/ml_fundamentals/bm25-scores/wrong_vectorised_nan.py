# Wrong on purpose: a vectorised version that also evaluates absent terms, so with k1 = 0
# they give 0 / 0 = nan (and an empty document gives nan too when b = 1).
import numpy as np


def bm25_scores(query, documents, k1=1.5, b=0.75):
    terms = sorted(set(query))
    tf = np.array([[doc.count(t) for t in terms] for doc in documents], dtype=float)
    lengths = np.array([len(doc) for doc in documents], dtype=float)
    N = len(documents)
    df = (tf > 0).sum(axis=0)
    idf = np.log(1 + (N - df + 0.5) / (df + 0.5))
    norm = k1 * (1 - b + b * lengths / lengths.mean())
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = idf * tf * (k1 + 1) / (tf + norm[:, None])
    return parts.sum(axis=1).tolist()
