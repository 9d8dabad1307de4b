import random


def _corpus(rng, n_docs, vocabulary):
    words = [f"w{i}" for i in range(vocabulary)]
    # Zipf-like word frequencies and varied lengths, as in real text.
    weights = [1.0 / (rank + 1) for rank in range(vocabulary)]
    return [rng.choices(words, weights, k=rng.randint(5, 300)) for _ in range(n_docs)], words


def large_corpus():
    rng = random.Random(25)
    documents, words = _corpus(rng, 3000, 5000)
    query = rng.sample(words[:50], 4) + rng.sample(words[50:2000], 4) + ["never-seen"]
    return [query, documents]


def permuted_corpus():
    """The same query over the same documents twice, the second time in a shuffled order."""
    rng = random.Random(4)
    documents, words = _corpus(rng, 200, 400)
    query = rng.sample(words[:100], 6) + rng.sample(words[:100], 2)
    shuffled = documents[:]
    rng.shuffle(shuffled)
    kwargs = {"k1": 1.2, "b": 0.6}
    return {"calls": [{"args": [query, documents], "kwargs": kwargs}, {"args": [query, shuffled], "kwargs": kwargs}]}
