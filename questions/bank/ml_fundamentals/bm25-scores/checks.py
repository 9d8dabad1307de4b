"""The checker: recomputes BM25 here and judges what the candidate returned, as plain data
(no candidate code runs here)."""

import math
from collections import Counter


def _bm25(query, documents, k1, b):
    N = len(documents)
    counts = [Counter(doc) for doc in documents]
    avgdl = sum(map(len, documents)) / N
    terms = set(query)
    df = {t: sum(t in c for c in counts) for t in terms}
    idf = {t: math.log(1 + (N - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    return [
        sum(idf[t] * c[t] * (k1 + 1) / (c[t] + k1 * (1 - b + b * len(doc) / avgdl)) for t in terms if c[t])
        for doc, c in zip(documents, counts)
    ]


def _scores(call):
    result = call["result"]
    n = len(call["args"][1])
    assert isinstance(result, list) and len(result) == n, f"expected a list of {n} scores"
    assert all(isinstance(s, (int, float)) and math.isfinite(s) for s in result), "every score must be a finite number"
    return [float(s) for s in result]


def scores_follow_the_documents(calls):
    first, second = calls
    for call in calls:
        got = _scores(call)
        expected = _bm25(*call["args"], **call["kwargs"])
        # Scores are 0–30; 1e-6 relative allows any order of summation and float32 arithmetic, as the manifest says.
        bad = [i for i, (g, e) in enumerate(zip(got, expected)) if abs(g - e) > 1e-6 * max(1.0, abs(e))]
        assert not bad, f"document {bad[0]}: expected {expected[bad[0]]:.9f}, got {got[bad[0]]:.9f}"
    # Shuffling the documents only shuffles their scores (the statistics are order-free).
    assert sorted(_scores(first)) == sorted(_scores(second)) or all(
        abs(a - b) <= 1e-6 * max(1.0, abs(a)) for a, b in zip(sorted(_scores(first)), sorted(_scores(second)))
    ), "shuffling the documents changed the set of scores"
