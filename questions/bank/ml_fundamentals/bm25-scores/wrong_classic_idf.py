# Wrong on purpose: the classic Robertson-Sparck Jones IDF ln((N - n + 0.5) / (n + 0.5)),
# which is negative for a term in more than half the documents, instead of the one asked for.
import math
from collections import Counter


def bm25_scores(query, documents, k1=1.5, b=0.75):
    N = len(documents)
    counts = [Counter(doc) for doc in documents]
    avgdl = sum(map(len, documents)) / N
    terms = set(query)
    df = {t: sum(t in c for c in counts) for t in terms}
    scores = []
    for doc, c in zip(documents, counts):
        norm = k1 * (1 - b + b * len(doc) / avgdl)
        scores.append(sum(math.log((N - df[t] + 0.5) / (df[t] + 0.5)) * c[t] * (k1 + 1) / (c[t] + norm) for t in terms if c[t]))
    return scores
