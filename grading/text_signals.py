"""What the local grader reads off an answer's surface, in plain Python: whole sentences
(with their offsets in the answer), signs of reasoning (estimates actually worked out,
trade-offs argued, failure cases handled) and two detectors, one for keyword lists
(stuffing) and one for long, repetitive, low-information answers (padding).

Nothing here knows a rubric's scores: the signals are features the grader turns into
levels, and the detectors cap levels; none of them adds points on its own.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pysbd
import snowballstemmer

# ---------------------------------------------------------------------------
# Sentences


@dataclass(frozen=True)
class Sentence:
    """A whole sentence (or a list item, a heading, a line of code) of an answer.

    ``text`` is exactly ``answer[start:end]``: evidence quoted from it is verbatim."""

    text: str
    start: int
    end: int
    kind: str  # "prose", "heading" or "code"
    heading: int = -1  # index of the heading this sentence sits under, -1 for none

    @property
    def prose(self) -> bool:
        return self.kind == "prose"


_FENCE = re.compile(r"^\s*(```|~~~)")
# A list marker or a heading's hashes in front of a line: not part of the sentence.
_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+\u2022\u2013]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")
# A boundary pysbd could put inside a line: sentence punctuation followed by more text.
_INNER_BOUNDARY = re.compile(r"[.!?\u2026][\"'\u2019\u201d)\]]*\s+\S")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)[^*_]{1,80}(\*\*|__)\s*:?\s*$")
_MAX_HEADING_WORDS = 8


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    return pysbd.Segmenter(language="en", clean=False)


def _pysbd_sentences(line: str) -> list[str]:
    # The processor alone: pysbd's own offset search compiles a regular expression per
    # sentence and searches the whole text with it, which costs more than the split.
    return [str(s) for s in _segmenter().processor(line).process()]


def _is_heading(line: str, marker: str) -> bool:
    words = line.split()
    if marker.lstrip().startswith("#"):
        return True
    if _BOLD_LINE.match(line):
        return True
    return 0 < len(words) <= _MAX_HEADING_WORDS and line.rstrip().endswith(":") and not marker.strip()


def split_sentences(text: str) -> list[Sentence]:
    """The answer's sentences, in order, split by pysbd inside each line (so "~0.6 Gbps",
    "e.g." or "v2.1" stay whole), with list markers and headings' hashes left out."""
    out: list[Sentence] = []
    heading = -1
    in_code = False
    offset = 0
    for raw in text.splitlines(keepends=True):
        line_start = offset
        offset += len(raw)
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            lead = len(line) - len(line.lstrip())
            body = line.strip()
            out.append(Sentence(body, line_start + lead, line_start + lead + len(body), "code", heading))
            continue
        marker = _MARKER.match(line)
        body_start = marker.end() if marker else len(line) - len(line.lstrip())
        body = line[body_start:]
        if not body.strip():
            continue
        if _is_heading(line, marker.group(0) if marker else ""):
            stripped = body.strip()
            start = line_start + body_start + (len(body) - len(body.lstrip()))
            heading = len(out)
            out.append(Sentence(stripped, start, start + len(stripped), "heading", heading))
            continue
        pieces = _pysbd_sentences(body) if _INNER_BOUNDARY.search(body.strip()) else [body]
        cursor = 0
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            found = body.find(piece, cursor)
            if found < 0:  # pysbd changed the text: keep the rest of the line whole
                rest = body[cursor:].strip()
                if rest:
                    found = body.find(rest, cursor)
                    out.append(
                        Sentence(
                            rest, line_start + body_start + found, line_start + body_start + found + len(rest), "prose", heading
                        )
                    )
                break
            cursor = found + len(piece)
            start = line_start + body_start + found
            out.append(Sentence(piece, start, start + len(piece), "prose", heading))
    return out


# ---------------------------------------------------------------------------
# Words

_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]|\d[\d.,]*")
FUNCTION_WORDS = frozenset(
    """a about above after again against all also although am an and any are as at be because been before being below
    between both but by can cannot could did do does doing down during each either else enough even every few for from
    further had has have having he her here hers him his how however i if in into is it its itself just least less
    let many may me might more most much must my neither no nor not now of off often on once one only onto or other
    otherwise our ours out over own per rather same she should since so some such than that the their theirs them then
    there these they this those though through thus to too under until up upon us very via was we were what whatever
    when whenever where whereas whether which while who whom whose why will with within without would yet you your
    instead unless until whereby therefore hence i'd i'll i'm we'd we'll we're it's that's there's don't doesn't isn't
    aren't won't can't""".split()
)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in FUNCTION_WORDS and not w[0].isdigit()]


# ---------------------------------------------------------------------------
# Reasoning signals

_NUMBER = r"(?:~|≈|about |around |roughly )?\d[\d,]*(?:\.\d+)?"
_UNIT = (
    r"(?:%|x\b|\u00d7|ms\b|µs|us\b|ns\b|s\b|sec|seconds?|minutes?|min\b|hours?|h\b|days?|weeks?|months?|mo\b|years?|yr"
    r"|[kmgtp]i?b(?:ps|/s)?\b|bytes?|bits?|[kmgtp]bps|gbps|mbps|qps|rps|tps|ops|req|requests?|writes?|reads?|msgs?|messages?"
    r"|events?|users?|links?|items?|rows?|entries|nodes?|servers?|shards?|partitions?|replicas?|tokens?|gpus?|cores?"
    r"|calls?|checks?|keys?|records?|documents?|docs?|pages?|queries|chunks?|series|points?|samples?|payments?|transactions?"
    r"|dollars?|usd|\$|k\b|m\b|b\b|t\b|million|billion|thousand|trillion)"
)
_QUANTITY = re.compile(rf"(?:\$\s?\d[\d,]*(?:\.\d+)?|{_NUMBER}\s?{_UNIT}(?:\s?(?:/|per)\s?[a-z]+)?)", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:[kmbt]\b)?", re.IGNORECASE)
# Arithmetic actually done: an operator, or a derivation, between two numbers of one sentence.
_DERIVATION = re.compile(
    r"\d[^.;:!?]{0,60}?(?:[\u00d7*÷=≈→]|\s[x/+]\s|->|=>|\bso\b|\bmeans\b|\bgives\b|\bthat'?s\b|\bwhich is\b|\bi\.e\.|"
    r"\bat most\b|\bat least\b|\bper\b|\beach\b|\bcovers\b|\bleaves\b|\bfits\b)[^.;!?]{0,60}?\d",
    re.IGNORECASE,
)
# A choice argued: a causal or contrastive link between options and consequences.
_TRADE_OFF = re.compile(
    r"\b(?:because|since|so that|instead(?: of)?|rather than|at the cost of|at the expense of|trade-?offs?|in exchange|"
    r"whereas|unlike|downside|upside|the cost is|costs? us|which means|that means|this means|otherwise|"
    r"but|however|although|though|compared (?:to|with)|versus|vs\.?|"
    r"cheaper|more expensive|slower|faster|simpler|safer|prefer|chose|chosen|pick|choose|"
    r"worth|pays off|wins?|lose|loses|only if|as long as|the risk is|avoids?|to avoid|good for|bad for|fine for|too)\b",
    re.IGNORECASE,
)
# A failure case and what happens then.
_FAILURE_CASE = re.compile(
    r"\b(?:fails?|failed|failing|failures?|dies|dead|crash(?:es|ed)?|down\b|outage|unavailable|unreachable|times? out|timeouts?|"
    r"lost|loses|lag(?:s|ging)?|overload(?:ed|s)?|partition(?:ed)? (?:from|away)|split.brain|errors?|stale|poison|"
    r"duplicates?|retried|retries|redeliver\w*|conflicts?|race|spikes?|hot ?spots?|stampede|thundering)\b",
    re.IGNORECASE,
)
_HANDLING = re.compile(
    r"\b(?:fall(?:s|ing)? back|fallback|fail(?:s|ing)? (?:open|closed|over)|failover|promot\w+|retr(?:y|ies|ied)|back.?off|"
    r"reroute\w*|re-?route\w*|redirect\w*|queue\w*|buffer\w*|replay\w*|degrad\w*|serve[sd]?|switch\w*|revert\w*|"
    r"circuit.?breaker|breaker|dedup\w*|idempoten\w*|reconcil\w*|rebuild\w*|recover\w*|resum\w*|skip\w*|drop\w*|"
    r"reject\w*|shed\w*|throttl\w*|alert\w*|page[sd]?|restart\w*|take[s]? over|keeps? (?:serving|working|running)|"
    r"still|instead|then|so)\b",
    re.IGNORECASE,
)
_CAPITALIZED = re.compile(r"(?<=[\w,;(] )[A-Z][a-zA-Z0-9]+|\b[A-Z]{2,}[a-z]?\b|\b\w*\d\w*\b|\b\w+_\w+\b|`[^`]+`")


@dataclass(frozen=True)
class SentenceSignals:
    words: int
    quantities: int  # numbers with units
    estimate: bool  # a number derived from numbers (an estimate used)
    trade_off: bool  # a choice argued, about specific things
    failure: bool  # a failure case handled
    specifics: int  # numbers, names, identifiers, rubric terms
    filler: int  # intensifiers and empty phrases


@lru_cache(maxsize=16384)
def sentence_signals(text: str, vocabulary: frozenset[str] = frozenset()) -> SentenceSignals:
    ws = words(text)
    quantities = len(_QUANTITY.findall(text))
    numbers = len(_NUMERIC.findall(text))
    specifics = len(_CAPITALIZED.findall(text)) + sum(_stem(w) in vocabulary for w in ws if w not in FUNCTION_WORDS)
    filler = len(_FILLER.findall(text))
    clause = len(ws) >= 6 and function_share(text) >= 0.15
    estimate = numbers >= 2 and bool(_DERIVATION.search(text))
    # Reasoning about something: a connective in a clause that names specific things and is not filler.
    concrete = specifics >= 2 and filler == 0
    trade_off = clause and concrete and bool(_TRADE_OFF.search(text))
    failure = clause and bool(_FAILURE_CASE.search(text)) and bool(_HANDLING.search(text)) and specifics >= 1
    return SentenceSignals(len(ws), quantities, estimate, trade_off, failure, specifics, filler)


@dataclass(frozen=True)
class Reasoning:
    quantities: int  # numbers with units
    estimates: int  # sentences that work a number out of others
    trade_offs: int  # sentences that argue a choice
    failures: int  # sentences that handle a failure case

    @property
    def total(self) -> int:
        return self.estimates + self.trade_offs + self.failures


def reasoning(signals: Iterable[SentenceSignals]) -> Reasoning:
    q = e = t = f = 0
    for s in signals:
        q += s.quantities
        e += s.estimate
        t += s.trade_off
        f += s.failure
    return Reasoning(q, e, t, f)


# ---------------------------------------------------------------------------
# Clause or fragment?


def function_share(text: str) -> float:
    ws = words(text)
    return sum(w in FUNCTION_WORDS for w in ws) / len(ws) if ws else 0.0


# Words that join the items of a list written as a run-on ("A and B with C plus D").
_JOINERS = frozenset({"and", "or", "plus", "with", "a", "an", "the"})
_JOINER = re.compile(r"\s(?:and|or|plus|with|&)\s", re.IGNORECASE)
TERSE_MAX_WORDS = 6


def is_fragment_list(text: str) -> bool:
    """A run of noun phrases separated by commas or slashes ("A, B, C"), or chained by
    "and"/"with" with no clause at all ("A with B and C plus D and E")."""
    ws = words(text)
    if len(ws) < 6:
        return False
    separators = text.count(",") + text.count(";") + text.count("/") + text.count(" · ")
    if len(ws) / (separators + 1) < 4.0 and function_share(text) < 0.2:
        return True
    joined = len(_JOINER.findall(text))
    clause_words = sum(w in FUNCTION_WORDS and w not in _JOINERS for w in ws)
    return joined >= 3 and len(ws) / (separators + joined + 1) < 4.0 and clause_words / len(ws) < 0.08


def is_terse_fragment(text: str, signals: SentenceSignals) -> bool:
    """A line of a few words that states a choice and no reason: "Use Kafka.", "Cache:
    Redis", "Sharded PostgreSQL". Alone it is a note; most of an answer, it is a list."""
    ws = words(text)
    if not ws or len(ws) > TERSE_MAX_WORDS:
        return False
    reasoned = signals.estimate or signals.trade_off or signals.failure or signals.quantities
    return not reasoned and function_share(text) <= 0.34


@dataclass(frozen=True)
class Stuffing:
    """A keyword list: many rubric terms, few clauses, list-like fragments, no worked reasoning."""

    score: float  # 0 (prose) to 1 (a pure keyword list)
    fragment_share: float  # share of the words in comma-separated fragment lists
    function_share: float  # share of function words (the, of, because...) in the whole answer
    term_density: float  # share of content words that are rubric vocabulary
    reasoning_per_100_words: float


STUFFING_MIN_WORDS = 12


def stuffing(sentences: Iterable[Sentence], vocabulary: frozenset[str]) -> Stuffing:
    prose = [s for s in sentences if s.kind != "code"]
    total = fragment = 0
    all_words: list[str] = []
    reasoning_count = 0
    for s in prose:
        ws = words(s.text)
        total += len(ws)
        all_words += ws
        if s.kind != "prose":
            continue
        sig = sentence_signals(s.text, vocabulary)
        worked = sig.estimate or sig.quantities >= 2  # a list of numbers worked out is reasoning
        if not worked and (is_fragment_list(s.text) or is_terse_fragment(s.text, sig)):
            fragment += len(ws)
        else:
            reasoning_count += sig.estimate + sig.trade_off + sig.failure + min(sig.quantities, 2)
    if total < STUFFING_MIN_WORDS:  # a word or two is a short answer, not a list
        return Stuffing(0.0, 0.0, 0.0, 0.0, 0.0)
    fshare = sum(w in FUNCTION_WORDS for w in all_words) / len(all_words)
    content = [w for w in all_words if w not in FUNCTION_WORDS and not w[0].isdigit()]
    density = sum(_stem(w) in vocabulary for w in content) / len(content) if content else 0.0
    frag = fragment / total
    per100 = 100.0 * reasoning_count / total
    # Each sign alone is weak (terse notes have fragments, short answers use rubric words);
    # together they describe a list written for a keyword matcher. The ramps were set on the
    # dev split of tests/data/design_eval (keyword lists against every other answer).
    listiness = max(frag, _ramp(fshare, 0.30, 0.12))
    score = listiness * _ramp(density, 0.08, 0.30) * _ramp(per100, 4.0, 0.5)
    return Stuffing(round(score, 3), round(frag, 3), round(fshare, 3), round(density, 3), round(per100, 2))


# ---------------------------------------------------------------------------
# Padding

_FILLER = re.compile(
    r"\b(?:very|really|extremely|incredibly|truly|clearly|obviously|of course|definitely|absolutely|essentially|basically|"
    r"important|crucial|critical|vital|key|essential|fundamental|robust|seamless(?:ly)?|holistic|best practices?|"
    r"world-class|cutting-edge|state-of-the-art|industry-standard|great question|it is worth|it's worth|make sure|"
    r"ensure that|at the end of the day|as i mentioned|as mentioned|in other words|needless to say|in general|"
    r"overall|various|many different|all kinds of|a lot of|and so on|etc|and more)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Padding:
    """Long, repetitive and thin: many words per fact."""

    score: float  # 0 (dense) to 1 (padding)
    words: int
    relative_length: float  # words over the rubric's excellent answers' length
    filler_per_100_words: float  # intensifiers and empty phrases ("it is crucial", "robust")
    function_share: float  # share of function words: clauses that carry little content
    density_per_100_words: float  # specifics, plus numbers and worked estimates counted more
    repetition: float  # share of content-word bigrams said before in the answer (reported only)


# Thresholds set on the dev split of the labelled sets (padded answers against the rest).
PADDING_LENGTH = (0.45, 0.7)  # relative length: from "not long" to "long"
PADDING_FILLER = (0.8, 2.0)  # filler per 100 words
PADDING_FUNCTION = (0.40, 0.47)  # share of function words
PADDING_DENSITY = (40.0, 20.0)  # density per 100 words: from "dense" to "thin"


def padding(sentences: list[Sentence], vocabulary: frozenset[str], *, expected_words: int) -> Padding:
    prose = [s for s in sentences if s.kind == "prose"]
    text = "\n".join(s.text for s in prose)
    ws = words(text)
    n = len(ws)
    if not n:
        return Padding(0.0, 0, 0.0, 0.0, 0.0, 0.0, 0.0)
    content = [_stem(w) for w in ws if w not in FUNCTION_WORDS and not w[0].isdigit()]
    bigrams = list(itertools.pairwise(content))
    seen: set[tuple[str, str]] = set()
    repeated = 0
    for bg in bigrams:
        repeated += bg in seen
        seen.add(bg)
    signals = [sentence_signals(s.text, vocabulary) for s in prose]
    per100 = 100.0 / n
    filler100 = sum(sig.filler for sig in signals) * per100
    density100 = sum(sig.specifics + 3 * sig.quantities + 10 * sig.estimate for sig in signals) * per100
    fshare = sum(w in FUNCTION_WORDS for w in ws) / n
    relative = n / max(1, expected_words)
    thin = (_ramp(filler100, *PADDING_FILLER) + _ramp(fshare, *PADDING_FUNCTION) + _ramp(density100, *PADDING_DENSITY)) / 3
    score = _ramp(relative, *PADDING_LENGTH) * thin
    return Padding(
        round(score, 3),
        n,
        round(relative, 3),
        round(filler100, 2),
        round(fshare, 3),
        round(density100, 2),
        round(repeated / len(bigrams) if bigrams else 0.0, 3),
    )


# ---------------------------------------------------------------------------
# Helpers


def _ramp(value: float, zero_at: float, one_at: float) -> float:
    """0 at zero_at, 1 at one_at, linear between (either direction), clipped."""
    if zero_at == one_at:
        return 1.0 if value >= one_at else 0.0
    t = (value - zero_at) / (one_at - zero_at)
    return max(0.0, min(1.0, t))


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Snowball's English stem, so "collisions" matches "collision"."""
    return str(_STEMMER.stemWord(word))


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The stems of the content words of these texts (a rubric's key points, synonyms...)."""
    out: set[str] = set()
    for text in texts:
        out.update(_stem(w) for w in content_words(text) if len(w) > 2)
    return out
