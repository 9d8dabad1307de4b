# Wrong on purpose: sums over the query tokens, so a term repeated in the query counts twice.
import math
from collections import Counter


def bm25_scores(query, documents, k1=1.5, b=0.75):
    N = len(documents)
    counts = [Counter(doc) for doc in documents]
    avgdl = sum(map(len, documents)) / N
    df = {t: sum(t in c for c in counts) for t in query}
    scores = []
    for doc, c in zip(documents, counts):
        norm = k1 * (1 - b + b * len(doc) / avgdl)
        scores.append(sum(math.log(1 + (N - df[t] + 0.5) / (df[t] + 0.5)) * c[t] * (k1 + 1) / (c[t] + norm) for t in query if c[t]))
    return scores
