"""The local rubric grader: offline, free, deterministic — and provisional.

It reads meaning, not keywords. Every sentence of the answer (split by pysbd, so
"~0.6 Gbps" stays whole) is embedded with a small static sentence-embedding model
(grading/embeddings.py) and compared with what the rubric says good looks like: each
criterion's description, level descriptors and key points, and the sentences of the
rubric's excellent anchor answer and reference answer that speak to that criterion.

Per criterion the grader measures how much of that excellent content the answer covers
(each exemplar sentence's best match among the answer's sentences), placed between the
rubric's own weakest and best anchors, so every question carries its own calibration.
With it go signs of substance and reasoning: specific things named in the sentences
about the criterion, estimates actually worked out, trade-offs argued and failure cases
handled, how on-topic the answer is, and its length against the anchors. A linear model
fitted on the dev split of the labelled sets (tests/data/design_eval) turns these into a
level; the coefficients are below. Two detectors cap the levels: a keyword list
(stuffing) and a long, thin answer (padding). Every grade has a confidence; a low one
adds the flag ``low_confidence`` so that the answer can be routed to a person.

It reads no instructions: nothing in an answer can steer it. Its grades stay labelled
"provisional — local grader".
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grading.embeddings import Embedder, get_embedder
from grading.rubric import MIN_QUOTE_CHARS, CriterionGrade, RubricGrade, injection_precheck, rubric_hash, weighted_score
from grading.text_signals import (
    Padding,
    Reasoning,
    Sentence,
    SentenceSignals,
    Stuffing,
    padding,
    reasoning,
    sentence_signals,
    split_sentences,
    stuffing,
    vocabulary,
)

GRADER_NAME = "local"

# The level model: level = INTERCEPT + sum(weight * feature), rounded and clipped to 0-4.
# Fitted by ridge regression on the dev split of tests/data/design_eval/set_a.json and
# set_b.json (the answers no detector caps), checked by leave-one-question-out on dev.
# The reasoning signals were constrained to weights >= 0.
INTERCEPT = 0.2811
WEIGHTS: dict[str, float] = {
    "coverage": 1.05,  # mean over criteria of the normalized coverage (0: weakest anchor, 1: excellent answers)
    "coverage_here": 0.2132,  # this criterion's normalized coverage minus that mean
    "specifics_here": 0.2816,  # log specifics in this criterion's sentences minus the answer's mean
    "on_topic": 1.9489,  # mean best match of the answer's sentences with the excellent exemplars
    "length": 0.8198,  # words over the excellent answers' length, at most 1.5
    "estimates": 0.8667,  # mean over criteria of log(1 + estimates worked out in its sentences)
    "trade_offs": 0.0,  # ... of trade-offs argued
    "failures": 0.0,  # ... of failure cases handled
}
# Detectors: at or over these scores the levels are capped.
STUFFING_AT, STUFFING_CAP = 0.5, 1
PADDING_AT, PADDING_CAP = 0.6, 1
LOW_CONFIDENCE = 0.5
# Where the grader is unsure (see _confidence): long answers that match the excellent answers
# little, and answers whose sentences mostly match nothing the rubric's answers say.
UNDERSTATED_LENGTH, UNDERSTATED_COVERAGE = 0.75, 0.7
OFF_TOPIC = 0.37
# Sentences speak to a criterion when their best match with its queries or exemplars is at
# least this, and within RELEVANCE_MARGIN of their best criterion.
RELEVANCE, RELEVANCE_MARGIN = 0.35, 0.05
# Normalized coverage for rubrics without anchors: typical values of a weak and an excellent answer.
DEFAULT_COVERAGE_RANGE = (0.3, 0.65)
_SOFTMAX_TEMPERATURE = 0.04
_MIN_EXEMPLAR_WEIGHT = 0.2
_NO_SIGNALS = SentenceSignals(0, 0, False, False, False, 0, 0)


@dataclass
class _Criterion:
    id: str
    name: str
    queries: np.ndarray  # description, level descriptors 2-4, key points
    exemplar_weights: np.ndarray  # over _Prepared.exemplars: how much each speaks to this criterion
    # Per excellent reference: its exemplars' weights for this criterion, and the coverage of
    # them by the rubric's weakest anchor (low) and by the other excellent references (high).
    scales: list[tuple[np.ndarray, float, float]] = field(default_factory=list)


@dataclass
class _Prepared:
    criteria: list[_Criterion]
    exemplars: np.ndarray  # sentences of the excellent references (anchors at level >= 3, reference answer)
    vocabulary: frozenset[str]
    expected_words: int


_CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, str], _Prepared] = OrderedDict()
_cache_lock = threading.Lock()


def _units(sentences: list[Sentence]) -> list[Sentence]:
    return [s for s in sentences if s.kind != "heading" and len(s.text) >= 3]


def _unit_texts(units: list[Sentence], sentences: list[Sentence]) -> list[str]:
    """What is embedded: a sentence with its heading, since "Storage" tells what "Cassandra, RF=3" is about."""
    out = []
    for s in units:
        heading = sentences[s.heading].text if s.heading >= 0 else ""
        out.append(f"{heading.strip('#*_: ')}: {s.text}" if heading and heading != s.text else s.text)
    return out


def _embed_text(embedder: Embedder, text: str) -> tuple[list[Sentence], list[Sentence], np.ndarray]:
    sentences = split_sentences(text)
    units = _units(sentences)
    return sentences, units, embedder.embed(_unit_texts(units, sentences))


def _best_matches(exemplars: np.ndarray, answer: np.ndarray) -> np.ndarray:
    """Each exemplar sentence's best match (cosine, clipped to 0-1) among the answer's sentences."""
    if not len(answer) or not len(exemplars):
        return np.zeros(len(exemplars))
    return np.clip((exemplars @ answer.T).max(axis=1), 0.0, 1.0)


def _coverage(best: np.ndarray, weights: np.ndarray) -> float:
    """The weighted mean, over exemplar sentences, of their best match among the answer's sentences."""
    total = float(weights.sum())
    return float((weights * best).sum() / total) if total else 0.0


def _prepare(rubric: dict[str, Any], embedder: Embedder) -> _Prepared:
    specs = rubric["criteria"]
    queries = []
    for c in specs:
        levels = {int(k): str(v) for k, v in (c.get("levels") or {}).items()}
        texts = [f"{c.get('name', c['id'])}: {c.get('description', '')}"]
        texts += [levels[k] for k in (2, 3, 4) if k in levels]
        texts += [str(p) for p in c.get("key_points") or []]
        queries.append(embedder.embed(texts))
    anchors = [(str(a["answer"]), {k: int(v) for k, v in a["levels"].items()}) for a in rubric.get("anchors") or []]
    excellent = [text for text, levels in anchors if levels and min(levels.values()) >= 3]
    if rubric.get("strong_answer"):
        excellent.append(str(rubric["strong_answer"]))
    embedded = [(text, _embed_text(embedder, text)[2]) for text in excellent]
    embedded = [(text, v) for text, v in embedded if len(v)]
    excellent = [text for text, _ in embedded]
    vectors = [v for _, v in embedded]
    if vectors:
        exemplars = np.concatenate(vectors)
        source = np.concatenate([np.full(len(v), i) for i, v in enumerate(vectors)])
        # Which criterion each exemplar sentence speaks to: a softmax over its best query match.
        rel = np.stack([(exemplars @ q.T).max(axis=1) for q in queries], axis=1)
        soft = np.exp((rel - rel.max(axis=1, keepdims=True)) / _SOFTMAX_TEMPERATURE)
        soft /= soft.sum(axis=1, keepdims=True)
        soft = np.where(soft >= _MIN_EXEMPLAR_WEIGHT, soft, 0.0)
        weight_columns = [soft[:, i] for i in range(len(specs))]
    else:
        # No reference answer at all: the rubric's own words are the exemplars.
        exemplars = np.concatenate(queries)
        source = np.zeros(len(exemplars))
        owner = np.concatenate([np.full(len(q), i) for i, q in enumerate(queries)])
        weight_columns = [(owner == i).astype(np.float64) for i in range(len(specs))]
    criteria = [_Criterion(c["id"], str(c.get("name", c["id"])), queries[i], weight_columns[i]) for i, c in enumerate(specs)]
    vocab = frozenset(
        vocabulary(
            [str(p) for c in specs for p in c.get("key_points") or []]
            + [f"{term} {' '.join(map(str, alts))}" for term, alts in (rubric.get("synonyms") or {}).items()]
            + [str(c.get("name", "")) for c in specs]
        )
    )
    lengths = [len(text.split()) for text in excellent]
    expected = int(np.median(lengths)) if lengths else int(rubric.get("max_words", 1500)) // 3
    prepared = _Prepared(criteria, exemplars, vocab, max(1, expected))
    # Each question's own scale, per criterion and excellent reference: 0 where its weakest
    # anchor falls, 1 where the other excellent references fall (each calibrates the others).
    weakest = [
        min(((levels.get(c["id"], 0), text) for text, levels in anchors), key=lambda t: t[0], default=(None, ""))[1]
        for c in specs
    ]
    best_of: dict[str, np.ndarray] = {}
    for text in {*weakest, *excellent} - {""}:
        best_of[text] = _best_matches(exemplars, _embed_text(embedder, text)[2])
    for index, c in enumerate(criteria):
        for r in range(len(vectors)):
            w = np.where(source == r, c.exemplar_weights, 0.0)
            if not w.sum():
                continue
            low = _coverage(best_of[weakest[index]], w) if weakest[index] else DEFAULT_COVERAGE_RANGE[0]
            others = [_coverage(best_of[text], w) for k, text in enumerate(excellent) if k != r and text in best_of]
            high = float(np.mean(others)) if others else DEFAULT_COVERAGE_RANGE[1]
            if high - low < 0.05:
                low, high = DEFAULT_COVERAGE_RANGE
            c.scales.append((w, low, high))
        if not c.scales and c.exemplar_weights.sum():
            c.scales.append((c.exemplar_weights, *DEFAULT_COVERAGE_RANGE))
    return prepared


def _prepared(rubric: dict[str, Any], embedder: Embedder) -> _Prepared:
    key = (rubric_hash(rubric), embedder.name)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    prepared = _prepare(rubric, embedder)
    with _cache_lock:
        _cache[key] = prepared
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return prepared


@dataclass
class CriterionAnalysis:
    id: str
    features: dict[str, float]
    relevant: list[int]  # the answer's sentences (indexes into Analysis.sentences) about this criterion, best first
    reasoning: Reasoning
    own: int = 0  # how many of the relevant sentences match this criterion best (they come first)
    level: float = 0.0  # before rounding
    caps: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    sentences: list[Sentence]
    criteria: list[CriterionAnalysis]
    stuffing: Stuffing
    padding: Padding
    features: dict[str, float] = field(default_factory=dict)
    confidence: float = 1.0


def _analyze(p: _Prepared, embedder: Embedder, answer: str) -> Analysis:
    sentences, units, vectors = _embed_text(embedder, answer)
    n = len(units)
    signals = [sentence_signals(u.text, p.vocabulary) if u.prose else _NO_SIGNALS for u in units]
    stuff = stuffing(sentences, p.vocabulary)
    pad = padding(sentences, p.vocabulary, expected_words=p.expected_words)
    if n:
        sims = vectors @ p.exemplars.T
        on_topic = float(sims.max(axis=1).mean())
        best_matches = np.clip(sims.max(axis=0), 0.0, 1.0)
        rel = np.stack(
            [
                np.maximum((vectors @ c.queries.T).max(axis=1), np.where(c.exemplar_weights > 0, sims, -1.0).max(axis=1))
                for c in p.criteria
            ],
            axis=1,
        )
    else:
        on_topic, rel = 0.0, np.zeros((0, len(p.criteria)))
        best_matches = np.zeros(len(p.exemplars))
    words = sum(s.words for s in signals)
    out: list[CriterionAnalysis] = []
    best = rel.max(axis=1) if n else np.zeros(0)
    for index, c in enumerate(p.criteria):
        cov = _coverage(best_matches, c.exemplar_weights)
        scaled = [(_coverage(best_matches, w) - low) / (high - low) for w, low, high in c.scales]
        norm = float(np.mean(scaled)) if scaled else 0.0
        relevant = [i for i in range(n) if rel[i, index] >= RELEVANCE and rel[i, index] >= best[i] - RELEVANCE_MARGIN]
        # Best first: the sentences whose best criterion this is, then by how well they match it.
        relevant.sort(key=lambda i: (rel[i, index] < best[i], -rel[i, index]))
        own = sum(1 for i in relevant if rel[i, index] >= best[i])
        r = reasoning(signals[i] for i in relevant)
        f = {
            "coverage_raw": cov,
            "coverage_norm": norm,
            "specifics": math.log1p(sum(signals[i].specifics for i in relevant)),
            "estimates": math.log1p(r.estimates),
            "trade_offs": math.log1p(r.trade_offs),
            "failures": math.log1p(r.failures),
            "sentences": float(len(relevant)),
        }
        out.append(CriterionAnalysis(c.id, f, relevant, r, own=own))
    mean = {k: float(np.mean([c.features[k] for c in out])) if out else 0.0 for k in ("coverage_norm", "specifics")}
    glob = {
        "words": float(words),
        "length": min(1.5, words / p.expected_words),
        "on_topic": on_topic,
        "coverage": mean["coverage_norm"],
        "specifics": mean["specifics"],
        "estimates": float(np.mean([c.features["estimates"] for c in out])) if out else 0.0,
        "trade_offs": float(np.mean([c.features["trade_offs"] for c in out])) if out else 0.0,
        "failures": float(np.mean([c.features["failures"] for c in out])) if out else 0.0,
    }
    for done in out:
        done.features["coverage_here"] = done.features["coverage_norm"] - mean["coverage_norm"]
        done.features["specifics_here"] = done.features["specifics"] - mean["specifics"]
    return Analysis(units, out, stuff, pad, glob)


def model_inputs(analysis: Analysis, c: CriterionAnalysis) -> dict[str, float]:
    """The level model's features for one criterion (named as in WEIGHTS)."""
    g = analysis.features
    return {
        "coverage": g["coverage"],
        "coverage_here": c.features["coverage_here"],
        "specifics_here": c.features["specifics_here"],
        "on_topic": g["on_topic"],
        "length": g["length"],
        "estimates": g["estimates"],
        "trade_offs": g["trade_offs"],
        "failures": g["failures"],
    }


def _confidence(analysis: Analysis) -> float:
    """0-1: how far to trust the levels; low where this grader is known to go wrong (dev split).

    - a detector close to its threshold: a keyword list or padding, or not quite;
    - a long answer that matches the excellent answers' content far less than its length and
      substance suggest: how a strong answer written in other words looks to this model;
    - an answer that mostly talks about something else (off topic) yet is not short;
    - levels sitting between two levels.
    """
    g = analysis.features
    parts = [1.0]
    for score, at in ((analysis.stuffing.score, STUFFING_AT), (analysis.padding.score, PADDING_AT)):
        parts.append(min(1.0, 0.3 + abs(score - at) / 0.15))
    capped = any(c.caps for c in analysis.criteria)
    if not capped and g["length"] >= UNDERSTATED_LENGTH and g["coverage"] < UNDERSTATED_COVERAGE:
        parts.append(0.4)
    if not capped and g["on_topic"] < OFF_TOPIC and g["length"] >= 0.25:
        parts.append(0.45)
    if analysis.criteria:
        between = float(np.mean([abs(c.level - round(c.level)) for c in analysis.criteria]))
        parts.append(1.0 - between)  # 0.5 when every level is a coin toss between two
    return round(max(0.0, min(parts)), 2)


class LocalGrader:
    name = GRADER_NAME

    def __init__(self, rubric: dict[str, Any], embedder: Embedder | None = None) -> None:
        self.rubric = rubric
        self.embedder = embedder or get_embedder()
        self.prepared = _prepared(rubric, self.embedder)

    def analyze(self, answer: str) -> Analysis:
        analysis = _analyze(self.prepared, self.embedder, answer)
        stuffed = analysis.stuffing.score >= STUFFING_AT
        padded = analysis.padding.score >= PADDING_AT
        for c in analysis.criteria:
            x = model_inputs(analysis, c)
            level = INTERCEPT + sum(WEIGHTS[k] * v for k, v in x.items())
            level = max(0.0, min(4.0, level))
            if stuffed and level > STUFFING_CAP:
                level = float(STUFFING_CAP)
                c.caps.append("reads as a keyword list")
            if padded and level > PADDING_CAP:
                level = float(PADDING_CAP)
                c.caps.append("long and thin: padding")
            c.level = level
        analysis.confidence = _confidence(analysis)
        return analysis

    def grade(self, answer: str, *, precheck: list[str] | None = None) -> RubricGrade:
        """Levels, score, flags and confidence. ``precheck``: the injection pre-check's
        matches if the caller already ran it (it costs up to ~0.3 s on the longest answers)."""
        analysis = self.analyze(answer)
        grades = []
        for c in analysis.criteria:
            level = round(c.level)
            grades.append(CriterionGrade(c.id, level, self._reasoning(analysis, c), self._evidence(analysis, c, level)))
        score = weighted_score(self.rubric, {g.id: g.level for g in grades})
        flags = ["provisional"]
        if analysis.confidence < LOW_CONFIDENCE:
            flags.append("low_confidence")
        if analysis.stuffing.score >= STUFFING_AT:
            flags.append("keyword_list")
        if analysis.padding.score >= PADDING_AT:
            flags.append("padding")
        suspicious = injection_precheck(answer) if precheck is None else precheck
        return RubricGrade(grades, bool(suspicious), score, flags, confidence=analysis.confidence)

    def _reasoning(self, analysis: Analysis, c: CriterionAnalysis) -> str:
        r = c.reasoning
        coverage = max(0.0, min(1.2, c.features["coverage_norm"]))
        text = (
            f"Local grader (provisional): on this criterion the answer matches the rubric's excellent answers "
            f"{coverage:.2f} of the way from its weakest anchor (0) to them (1), in {len(c.relevant)} sentence(s); "
            f"{r.estimates} estimate(s) worked out, {r.trade_offs} trade-off(s) argued, {r.failures} failure case(s) handled."
        )
        if c.caps:
            text += f" Capped at level {round(c.level)}: {'; '.join(c.caps)}."
        return text

    def _evidence(self, analysis: Analysis, c: CriterionAnalysis, level: int) -> list[str]:
        """Up to three whole sentences of the answer that speak to the criterion, best first."""
        if level == 0:
            return []
        quotes: list[str] = []
        for i in c.relevant[: c.own or len(c.relevant)]:
            s = analysis.sentences[i]
            if s.prose and len(s.text) >= MIN_QUOTE_CHARS and s.text not in quotes:
                quotes.append(s.text)
            if len(quotes) == 3:
                break
        return quotes
