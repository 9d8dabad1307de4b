import math
from collections import Counter


def bm25_scores(query, documents, k1=1.5, b=0.75):
    # Return one BM25 score per document, in document order.
    raise NotImplementedError
