import math
from collections import Counter


def bm25_scores(query, documents, k1=1.5, b=0.75):
    N = len(documents)
    counts = [Counter(doc) for doc in documents]
    avgdl = sum(len(doc) for doc in documents) / N
    terms = set(query)  # a term repeated in the query counts once
    # Document frequency: how many documents contain the term at least once.
    df = {t: sum(1 for c in counts if t in c) for t in terms}
    idf = {t: math.log(1.0 + (N - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}
    scores = []
    for doc, c in zip(documents, counts):
        norm = k1 * (1.0 - b + b * len(doc) / avgdl)
        score = 0.0
        for t in terms:
            f = c.get(t, 0)
            if f:  # absent terms add nothing (and k1 = 0 would otherwise give 0 / 0)
                score += idf[t] * f * (k1 + 1.0) / (f + norm)
        scores.append(score)
    return scores
