"""Similarity fingerprints of submissions: winnowing, as MOSS does (plain Python).

Code is tokenized with Pygments and every identifier, string and number is replaced
by its kind, so renaming variables or reformatting changes nothing; fingerprints are
the minimum hashes of sliding windows over k-grams of tokens (Schleimer, Wilkerson
and Aiken, "Winnowing", SIGMOD 2003), so reordering functions moves fingerprints but
does not remove them. Written answers are fingerprinted the same way over word
shingles. Matches are mapped back to line or character ranges to show side by side.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pygments.lexers import PythonLexer
from pygments.token import Comment, Name, Number, String, Text, Token

K_CODE = 12  # tokens per k-gram: long enough that shared idioms do not count
K_TEXT = 6  # words per shingle
WINDOW = 4


@dataclass(frozen=True)
class Fingerprint:
    hash: int
    start: int  # first line (code) or character (text) of the k-gram
    end: int


def _hash(items: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b("\x1f".join(items).encode(), digest_size=8).digest(), "big")


def _winnow(kgrams: list[tuple[int, int, int]], window: int = WINDOW) -> list[Fingerprint]:
    """Keeps the rightmost minimal hash of each window of k-gram hashes."""
    if not kgrams:
        return []
    if len(kgrams) <= window:
        best = min(kgrams, key=lambda g: g[0])
        return [Fingerprint(*best)]
    chosen: dict[int, Fingerprint] = {}
    for i in range(len(kgrams) - window + 1):
        span = kgrams[i : i + window]
        low = min(g[0] for g in span)
        index = max(j for j, g in enumerate(span) if g[0] == low) + i
        chosen[index] = Fingerprint(*kgrams[index])
    return list(chosen.values())


_LEXER = PythonLexer()


def code_tokens(source: str) -> list[tuple[str, int]]:
    """Normalized tokens with their line: names, strings and numbers by kind only."""
    tokens = []
    line = 1
    for kind, value in _LEXER.get_tokens(source):
        if kind in Comment or kind in Text or kind is Token.Text.Whitespace or not value.strip():
            line += value.count("\n")
            continue
        if kind in Name and kind not in Name.Builtin:
            normalized = "N"
        elif kind in String:
            normalized = "S"
        elif kind in Number:
            normalized = "0"
        else:
            normalized = value
        tokens.append((normalized, line))
        line += value.count("\n")
    return tokens


def code_fingerprints(source: str, k: int = K_CODE) -> list[Fingerprint]:
    tokens = code_tokens(source)
    kgrams = [
        (_hash(tuple(t for t, _ in tokens[i : i + k])), tokens[i][1], tokens[i + k - 1][1]) for i in range(len(tokens) - k + 1)
    ]
    return _winnow(kgrams)


_WORD = re.compile(r"[a-z0-9]+")


def text_fingerprints(text: str, k: int = K_TEXT) -> list[Fingerprint]:
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text.lower())]
    kgrams = [
        (_hash(tuple(w for w, _, _ in words[i : i + k])), words[i][1], words[i + k - 1][2]) for i in range(len(words) - k + 1)
    ]
    return _winnow(kgrams)


@dataclass
class Match:
    similarity: float  # shared fingerprints over the smaller set, 0-1
    regions: list[tuple[tuple[int, int], tuple[int, int]]]  # (start, end) in a, (start, end) in b


def compare(a: list[Fingerprint], b: list[Fingerprint]) -> Match:
    """How much of the smaller submission's fingerprints the other one shares, and where."""
    if not a or not b:
        return Match(0.0, [])
    by_hash: dict[int, list[Fingerprint]] = {}
    for fp in b:
        by_hash.setdefault(fp.hash, []).append(fp)
    shared = {fp.hash for fp in a} & set(by_hash)
    similarity = len(shared) / min(len({fp.hash for fp in a}), len(by_hash))
    regions = []
    for fp in a:
        if fp.hash in by_hash:
            other = by_hash[fp.hash][0]
            regions.append(((fp.start, fp.end), (other.start, other.end)))
    return Match(round(similarity, 3), _merge(regions))


def _merge(regions: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Joins overlapping matched ranges so a copied block shows as one region."""
    merged: list[list[list[int]]] = []
    for (a0, a1), (b0, b1) in sorted(regions):
        if merged and a0 <= merged[-1][0][1] + 1:
            last = merged[-1]
            last[0][1] = max(last[0][1], a1)
            last[1][0] = min(last[1][0], b0)
            last[1][1] = max(last[1][1], b1)
        else:
            merged.append([[a0, a1], [b0, b1]])
    return [((a[0], a[1]), (b[0], b[1])) for a, b in merged]
