"""The bank's words as people read them: tracks, kinds, difficulties and topics.

The stored values (``python_dsa``, ``multiple_choice``, ``class-imbalance``) are
identifiers for files, the API and the database; pages show these names instead.
Plain Python, no Django: templates reach it through ``questions.templatetags.bank_names``.
"""

from __future__ import annotations

from questions.bank_format import Difficulty, Kind, Track

# In the order pages list them: the order of the enums, not the alphabet.
TRACK_NAMES: dict[str, str] = {
    Track.PYTHON_DSA: "Python / DSA",
    Track.ML_FUNDAMENTALS: "ML fundamentals",
    Track.SYSTEM_DESIGN: "System design",
}
KIND_NAMES: dict[str, str] = {
    Kind.CODING: "Coding",
    Kind.MULTIPLE_CHOICE: "Multiple choice",
    Kind.NUMERIC: "Numeric",
    Kind.FREE_TEXT: "Written",
}
DIFFICULTY_NAMES: dict[str, str] = {Difficulty.EASY: "Easy", Difficulty.MEDIUM: "Medium", Difficulty.HARD: "Hard"}
# Easy < medium < hard, for sorting (the alphabet puts "hard" first).
DIFFICULTY_RANK: dict[str, int] = {d.value: i for i, d in enumerate(Difficulty)}
TRACK_RANK: dict[str, int] = {t.value: i for i, t in enumerate(Track)}

# Words of topic slugs that are written in capitals (or their own way), and whole
# slugs whose hyphen belongs to the name.
_WORDS = {
    "api": "API",
    "auc": "AUC",
    "bfs": "BFS",
    "dfs": "DFS",
    "dsa": "DSA",
    "gpu": "GPU",
    "llm": "LLM",
    "ml": "ML",
    "numpy": "NumPy",
    "rag": "RAG",
    "roc": "ROC",
    "sql": "SQL",
}
_SLUGS = {
    "bias-variance": "Bias-variance",
    "exactly-once": "Exactly-once",
    "fan-out": "Fan-out",
    "k-means": "k-means",
    "precision-recall": "Precision-recall",
    "real-time": "Real-time",
}


def track_name(value: str) -> str:
    return TRACK_NAMES.get(value, value.replace("_", " ").capitalize())


def kind_name(value: str) -> str:
    return KIND_NAMES.get(value, value.replace("_", " ").capitalize())


def difficulty_name(value: str) -> str:
    return DIFFICULTY_NAMES.get(value, value.capitalize())


def topic_name(slug: str) -> str:
    """``class-imbalance`` → "Class imbalance", ``llm-evaluation`` → "LLM evaluation"."""
    if slug in _SLUGS:
        return _SLUGS[slug]
    words = [_WORDS.get(word, word) for word in slug.split("-") if word]
    if not words:
        return slug
    first = words[0]
    words[0] = first if first in _WORDS.values() else first[:1].upper() + first[1:]
    return " ".join(words)
