"""Local grader benchmark: latency per written answer, against two baselines.

    .venv/bin/python bench/bench_local_grader.py [--rounds 3] [--write docs/performance.md]

It grades every answer of the labelled design/ML sets (tests/data/design_eval/set_a.json
and set_b.json, both splits: this measures time, not agreement) with the question's rubric
from the bank, ``--rounds`` sequential passes, in this one process, warm: the model is
loaded and each rubric prepared before the clock starts (those one-off costs are measured
and reported on their own). Per answer it gives wall-clock p50/p95/max and CPU time, and
where the time goes (sentence splitting, embedding, the injection pre-check that every
grade runs).

Two baselines, measured in the same run on the same answers, and the grader's figures are
given as ratios to each:

- ``word count``: the word-count baseline of the agreement figures (levels from the
  answer's length), the floor for grading at all;
- ``keyword grader``: the previous local grader (key points and synonyms matched after
  Snowball stemming, plus the same injection pre-check), kept here as it was.

No database, no network; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import snowballstemmer  # noqa: E402

from bench.markdown_report import write_section  # noqa: E402
from grading.rubric import CriterionGrade, RubricGrade, injection_precheck, weighted_score  # noqa: E402
from questions.bank_format import load_question  # noqa: E402

BANK = ROOT / "questions" / "bank"
SETS = [ROOT / "tests" / "data" / "design_eval" / "set_a.json", ROOT / "tests" / "data" / "design_eval" / "set_b.json"]
TARGET_P95_S = 0.300


# -- baselines ------------------------------------------------------------------------------


def word_count_grade(rubric: dict[str, Any], answer: str) -> RubricGrade:
    """Levels from length alone: 4 at the rubric's word limit, linear below it."""
    level = min(4, round(4 * len(answer.split()) / rubric["max_words"]))
    grades = [CriterionGrade(c["id"], level, "") for c in rubric["criteria"]]
    return RubricGrade(grades, False, weighted_score(rubric, {g.id: g.level for g in grades}))


class KeywordGrader:
    """The previous local grader, as it was: key points and synonyms after Snowball stemming."""

    _STEMMER = snowballstemmer.stemmer("english")
    _WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
    _SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
    _STOP = frozenset(
        "a an and are as at be by for from has have how in into is it its of on or that the their them then there these "
        "this to was were what when where which who why will with without your you we our can should would could do does "
        "use using".split()
    )

    def __init__(self, rubric: dict[str, Any]) -> None:
        self.rubric = rubric
        self.synonyms: dict[tuple[str, ...], str] = {}
        for term, alternatives in (rubric.get("synonyms") or {}).items():
            canonical = self._stems(term)
            for phrase in [term, *alternatives] if canonical else []:
                if stems := tuple(self._stems(str(phrase))):
                    self.synonyms[stems] = canonical[0]

    def _stems(self, text: str) -> list[str]:
        words = [w for w in self._WORD.findall(unicodedata.normalize("NFKC", text).lower()) if w not in self._STOP]
        return self._STEMMER.stemWords(words)

    def _canonical(self, stems: list[str]) -> list[str]:
        out: list[str] = []
        i, longest = 0, max((len(k) for k in self.synonyms), default=1)
        while i < len(stems):
            for size in range(min(longest, len(stems) - i), 0, -1):
                if (key := tuple(stems[i : i + size])) in self.synonyms:
                    out.append(self.synonyms[key])
                    i += size
                    break
            else:
                out.append(stems[i])
                i += 1
        return out

    def grade(self, answer: str) -> RubricGrade:
        sentences = [s.strip() for s in self._SENTENCE.findall(answer) if s.strip()]
        sentence_stems = [set(self._canonical(self._stems(s))) for s in sentences]
        answer_stems = set().union(*sentence_stems) if sentence_stems else set()
        grades = []
        for criterion in self.rubric["criteria"]:
            points = criterion["key_points"]
            made = []
            for point in points:
                words = self._canonical(self._stems(point))
                if words and sum(w in answer_stems for w in words) / len(words) >= 0.6:
                    made.append(point)
            grades.append(CriterionGrade(criterion["id"], min(4, round(4 * len(made) / len(points))), ""))
        score = weighted_score(self.rubric, {g.id: g.level for g in grades})
        return RubricGrade(grades, bool(injection_precheck(answer)), score, ["provisional"])


# -- measuring ------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def load_items() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    items = [i for path in SETS for i in json.loads(path.read_text())["items"]]
    rubrics = {}
    for slug in sorted({i["question"] for i in items}):
        track = "ml_fundamentals" if (BANK / "ml_fundamentals" / slug).exists() else "system_design"
        rubrics[slug] = load_question(BANK / track / slug, BANK).spec()
    return items, rubrics


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="sequential passes over the answers")
    parser.add_argument("--write", type=Path, help="write the results into this Markdown file")
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    items, rubrics = load_items()
    rss_start = rss_mb()

    from grading import embeddings
    from grading.local_grader import LocalGrader, _embed_text, _prepared
    from grading.text_signals import sentence_signals, split_sentences

    load_s, _ = timed(lambda: embeddings.load_embedder())
    embedder = embeddings.get_embedder()
    rss_model = rss_mb()
    prepare = [timed(lambda r=r: _prepared(r, embedder))[0] for r in rubrics.values()]
    graders = {slug: LocalGrader(r) for slug, r in rubrics.items()}
    keyword = {slug: KeywordGrader(r) for slug, r in rubrics.items()}
    for item in items[:10]:  # warm the caches a long-running worker has warm
        graders[item["question"]].grade(item["answer"])
        injection_precheck(item["answer"])

    series: dict[str, list[float]] = {
        k: [] for k in ("grader", "grader_cpu", "keyword", "word_count", "split", "embed", "precheck")
    }
    for _ in range(options.rounds):
        for item in items:
            slug, answer = item["question"], item["answer"]
            sentence_signals.cache_clear()  # a worker sees each answer once: nothing of it is cached
            wall, cpu = timed(lambda s=slug, a=answer: graders[s].grade(a))
            series["grader"].append(wall)
            series["grader_cpu"].append(cpu)
            series["keyword"].append(timed(lambda s=slug, a=answer: keyword[s].grade(a))[0])
            series["word_count"].append(timed(lambda s=slug, a=answer: word_count_grade(rubrics[s], a))[0])
            series["split"].append(timed(lambda a=answer: split_sentences(a))[0])
            series["embed"].append(timed(lambda a=answer: _embed_text(embedder, a))[0])
            series["precheck"].append(timed(lambda a=answer: injection_precheck(a))[0])
    figures = {
        "answers": len(items),
        "rounds": options.rounds,
        "words_p50": statistics.median(len(i["answer"].split()) for i in items),
        "words_max": max(len(i["answer"].split()) for i in items),
        "load_s": load_s,
        "prepare_p50_s": statistics.median(prepare),
        "prepare_max_s": max(prepare),
        "rss_model_mb": rss_model - rss_start,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        **{f"{k}_p50": statistics.median(v) for k, v in series.items()},
        **{f"{k}_p95": percentile(v, 0.95) for k, v in series.items()},
        **{f"{k}_max": max(v) for k, v in series.items()},
    }
    report = render(figures, embeddings.MODEL_NAME, embeddings.MODEL_VERSION)
    print(report)
    if options.write:
        write_section(options.write, report)
    return 0 if figures["grader_p95"] <= TARGET_P95_S else 1


def render(f: dict[str, Any], model: str, version: str) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    def ratio(key: str, base: str) -> str:
        return f"{f[key] / f[base]:.1f}x" if f[base] else "n/a"

    verdict = "within" if f["grader_p95"] <= TARGET_P95_S else "over"
    lines = [
        "## Local grader: latency per written answer",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}) "
        f"by `bench/bench_local_grader.py --rounds {f['rounds']}`: the {f['answers']} answers of the labelled design/ML sets "
        f"(tests/data/design_eval, both splits; {f['words_p50']:.0f} words at the median, {f['words_max']} at most), each graded "
        f"by its question's rubric from the bank, {f['rounds']} sequential passes in one process, warm. Model: {model} "
        f"(wordllama {version}). Load average (1 min) {f['load_before']:.1f} at the start, {f['load_after']:.1f} at the end: "
        "other work on the machine shows up in the wall-clock figures, less so in CPU time and the ratios.",
        "",
        "Two baselines, measured in the same run on the same answers: **word count** (levels from the answer's length, "
        "the floor for grading at all) and **keyword grader** (the previous local grader: key points and synonyms matched "
        "after stemming, plus the injection pre-check every grade runs). Ratios are of p50s (higher is slower).",
        "",
        "| grader | p50 | p95 | max | p50 vs word count | p50 vs keyword grader |",
        "|---|---|---|---|---|---|",
        f"| local grader (meaning) | {ms(f['grader_p50'])} | {ms(f['grader_p95'])} | {ms(f['grader_max'])} "
        f"| {ratio('grader_p50', 'word_count_p50')} | {ratio('grader_p50', 'keyword_p50')} |",
        f"| local grader, CPU time | {ms(f['grader_cpu_p50'])} | {ms(f['grader_cpu_p95'])} | {ms(f['grader_cpu_max'])} | | |",
        f"| keyword grader (before) | {ms(f['keyword_p50'])} | {ms(f['keyword_p95'])} | {ms(f['keyword_max'])} "
        f"| {ratio('keyword_p50', 'word_count_p50')} | 1.0x |",
        f"| word count | {ms(f['word_count_p50'])} | {ms(f['word_count_p95'])} | {ms(f['word_count_max'])} | 1.0x | |",
        "",
        "Where a grade's time goes (each part timed alone on the same answers):",
        "",
        "| part | p50 | p95 |",
        "|---|---|---|",
        f"| sentence splitting (pysbd) | {ms(f['split_p50'])} | {ms(f['split_p95'])} |",
        f"| splitting and embedding the sentences | {ms(f['embed_p50'])} | {ms(f['embed_p95'])} |",
        f"| injection pre-check (grading/injection.py) | {ms(f['precheck_p50'])} | {ms(f['precheck_p95'])} |",
        "",
        f"The target is p95 at most {TARGET_P95_S * 1000:.0f} ms per answer: this run is **{verdict}** it "
        f"(p95 {ms(f['grader_p95'])}). One-off costs, paid once per worker process: loading the model and checking "
        f"its SHA-256 {f['load_s']:.2f} s, {f['rss_model_mb']:.0f} MB of resident memory; preparing a rubric "
        f"(embedding its descriptors, anchors and reference answer) {ms(f['prepare_p50_s'])} at the median, "
        f"{ms(f['prepare_max_s'])} at most, then cached per process (64 rubrics).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
