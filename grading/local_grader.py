"""The local rubric grader: deterministic, offline, free — and provisional.

It matches each criterion's key points in the answer after normalization and
Snowball stemming, treating the words a rubric lists as synonyms as the same word.
It reads no instructions at all, so nothing in an answer can steer it, but it only
sees vocabulary, not reasoning: its grades are shown as "provisional — local grader".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import snowballstemmer

from grading.rubric import CriterionGrade, RubricGrade, injection_precheck, weighted_score

GRADER_NAME = "local"
_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_STOP = frozenset(
    "a an and are as at be by for from has have how in into is it its of on or that the their them then there these this "
    "to was were what when where which who why will with without your you we our can should would could do does use using".split()
)
# A key point counts as made when this share of its words appears in the answer.
MATCH_SHARE = 0.6


def _stems(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    words = [w for w in _WORD.findall(text) if w not in _STOP]
    return _STEMMER.stemWords(words)


class LocalGrader:
    name = GRADER_NAME

    def __init__(self, rubric: dict[str, Any]) -> None:
        self.rubric = rubric
        # Every synonym (a word or a phrase) maps onto its term's first stem.
        self.synonyms: dict[tuple[str, ...], str] = {}
        for term, alternatives in (rubric.get("synonyms") or {}).items():
            canonical = _stems(term)
            if not canonical:
                continue
            for phrase in [term, *alternatives]:
                stems = tuple(_stems(str(phrase)))
                if stems:
                    self.synonyms[stems] = canonical[0]

    def _canonical(self, stems: list[str]) -> list[str]:
        """Replaces synonym phrases (longest first) by their term's stem."""
        out: list[str] = []
        i = 0
        longest = max((len(k) for k in self.synonyms), default=1)
        while i < len(stems):
            for size in range(min(longest, len(stems) - i), 0, -1):
                key = tuple(stems[i : i + size])
                if key in self.synonyms:
                    out.append(self.synonyms[key])
                    i += size
                    break
            else:
                out.append(stems[i])
                i += 1
        return out

    def _point_matched(self, point: str, answer_stems: set[str]) -> list[str]:
        words = self._canonical(_stems(point))
        if not words:
            return []
        found = [w for w in words if w in answer_stems]
        return found if len(found) / len(words) >= MATCH_SHARE else []

    def grade(self, answer: str) -> RubricGrade:
        sentences = [s.strip() for s in _SENTENCE.findall(answer) if s.strip()]
        sentence_stems = [set(self._canonical(_stems(s))) for s in sentences]
        answer_stems = set().union(*sentence_stems) if sentence_stems else set()
        grades = []
        for criterion in self.rubric["criteria"]:
            points = criterion["key_points"]
            matched = {point: self._point_matched(point, answer_stems) for point in points}
            made = [p for p, words in matched.items() if words]
            level = min(4, round(4 * len(made) / len(points)))
            evidence = []
            for point in made:
                words = set(matched[point])
                best = max(range(len(sentences)), key=lambda i: len(words & sentence_stems[i]), default=None)
                if best is not None and sentences[best] not in evidence:
                    evidence.append(sentences[best])
            missing = [p for p in points if p not in made]
            reasoning = f"Mentions {len(made)} of {len(points)} key points" + (
                f"; missing: {', '.join(missing)}." if missing else "."
            )
            grades.append(CriterionGrade(criterion["id"], level, reasoning, evidence[:3]))
        score = weighted_score(self.rubric, {g.id: g.level for g in grades})
        suspicious = injection_precheck(answer)
        return RubricGrade(grades, bool(suspicious), score, ["provisional"])
