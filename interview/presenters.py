"""What a practice candidate reads after finishing: feedback that teaches without handing
out the grader's internals (no key points, no keyword lists, no grader reasoning)."""

from __future__ import annotations

import re
from typing import Any

from grading.rubric import weighted_score
from questions.bank_format import Kind
from questions.markdown import render_markdown
from questions.names import KIND_NAMES, kind_name
from sandbox.display import visible_input_text


def _descriptor(criterion: dict[str, Any], level: int) -> str:
    levels = criterion.get("levels", {})
    return str(levels.get(level, levels.get(str(level), "")))


def stronger_level(level: int) -> int:
    """The level whose descriptor says what a stronger answer does: the next one, at least 3."""
    return min(4, max(level + 1, 3))


def written_coaching(spec: dict[str, Any], feedback: dict[str, Any]) -> dict[str, Any] | None:
    """Per criterion, in the rubric's own words: what the answer did (the descriptor of the
    level it reached) and what a stronger answer does: the descriptor of the next level,
    and never lower than a good answer's (level 3), since the lower levels describe weak
    answers and would read as advice to write one;
    then the rubric's criteria and levels and the question's graded exemplar answers.

    Only for a finished practice session: the caller decides (assessments show nothing).
    None while the answer has no levels yet.
    """
    levels = {c["id"]: c.get("effective_level") for c in feedback.get("criteria", [])}
    if not levels or any(level is None for level in levels.values()):
        return None
    criteria = []
    for criterion in spec["criteria"]:
        level = levels.get(criterion["id"])
        if level is None:
            continue
        criteria.append(
            {
                "id": criterion["id"],
                "name": criterion["name"],
                "level": level,
                "strong": _descriptor(criterion, level) if level > 0 else "",
                "stronger": _descriptor(criterion, stronger_level(level)) if level < 4 else "",
                "stronger_level": stronger_level(level) if level < 4 else None,
            }
        )
    return {
        "criteria": criteria,
        "rubric": [
            {
                "name": c["name"],
                "description": c["description"],
                "levels": [{"level": n, "text": _descriptor(c, n)} for n in range(5)],
            }
            for c in spec["criteria"]
        ],
        "exemplars": [
            # Its overall level: the weighted mean of its criterion levels (the import's rule).
            {"level": round(weighted_score(spec, a["levels"]) / 25), "answer": a["answer"]}
            for a in spec.get("anchors", [])
        ],
    }


# -- what the candidate reads: display names ------------------------------------------
# The one mapping from stored names (kinds, verdicts, grading states) to the words a
# candidate reads. The results page uses it and the payloads carry it (``display_names``),
# so the interview page can label things the same way.

# Kinds are named where the bank's other words are (questions/names.py).
KIND_LABELS = KIND_NAMES

VERDICT_LABELS = {
    "accepted": "Passed",
    "wrong_answer": "Wrong answer",
    "time_limit_exceeded": "Time limit exceeded",
    "memory_limit_exceeded": "Memory limit exceeded",
    "runtime_error": "Runtime error",
    "compilation_error": "Syntax error",  # Python code that does not compile
    "output_limit_exceeded": "Output limit exceeded",
    "internal_error": "Could not be run (our fault, not yours)",
}

GRADE_STATUS_LABELS = {
    "ungraded": "Not graded yet",
    "pending": "Being graded",
    "graded": "Graded",
}


def display_names() -> dict[str, dict[str, str]]:
    """Stored name → display name, for kinds, verdicts and grading states."""
    return {
        "kinds": {str(k): v for k, v in KIND_LABELS.items()},
        "verdicts": dict(VERDICT_LABELS),
        "grade_statuses": dict(GRADE_STATUS_LABELS),
    }


def kind_label(kind: str) -> str:
    return kind_name(kind)


def verdict_label(verdict: str) -> str:
    return VERDICT_LABELS.get(verdict, verdict.replace("_", " ").capitalize()) if verdict else ""


def points(score: float | None) -> str:
    """A score as people write it: 75, 66.67, 0 (never 75.0)."""
    if score is None:
        return ""
    return f"{score:.2f}".rstrip("0").rstrip(".")


# -- multiple choice: the options as the candidate saw them ------------------------------


def option_labels(option_ids: list[str]) -> dict[str, str]:
    """Option id → its label on screen: A, B, C… in the order the candidate saw them."""
    return {option_id: chr(ord("A") + index) for index, option_id in enumerate(option_ids)}


def _option_refs(ids: list[str]) -> re.Pattern[str]:
    # "(b)" as the bank's explanations cite an option, but not "f(b)" or "(b)(c)" inside a formula.
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w)])\(({alternatives})\)")


def explanation_split(text: str, option_ids: list[str]) -> tuple[str, dict[str, str]]:
    """Splits a bank explanation into its general part and the part about each option.

    Explanations cite options by id, as list items (``- (a) leaks badly: …``) or as
    sentences of a paragraph (``(b) is backwards. (c) is false …``). Each such piece goes
    to its option; what cites no option at its start stays general. Both keep Markdown.
    """
    if not option_ids:
        return text, {}
    refs = _option_refs(option_ids)
    item_start = re.compile(rf"^\s*[-*+]\s+{refs.pattern}\s*(.*)$")
    general: list[str] = []
    per_option: dict[str, list[str]] = {}
    current: str | None = None  # the option whose list item is being read
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if not paragraph:
            return
        joined = " ".join(line.strip() for line in paragraph)
        if refs.match(joined):
            # A paragraph of sentences each about one option: split before each citation
            # that starts a sentence.
            starts = [m for m in refs.finditer(joined) if m.start() == 0 or joined[: m.start()].rstrip()[-1:] in ".!?;:"]
            for here, after in zip(starts, [*starts[1:], None], strict=True):
                piece = joined[here.start() : after.start() if after else len(joined)].strip()
                per_option.setdefault(here.group(1), []).append(piece)
        else:
            general.append("\n".join(paragraph))
        paragraph.clear()

    for line in text.splitlines():
        item = item_start.match(line)
        if item:
            flush_paragraph()
            current = item.group(1)
            per_option.setdefault(current, []).append(f"({current}) {item.group(2)}")
        elif current is not None and line.strip() and (line.startswith((" ", "\t"))):
            per_option[current][-1] += " " + line.strip()
        elif not line.strip():
            current = None
            flush_paragraph()
        else:
            current = None
            paragraph.append(line)
    flush_paragraph()
    return "\n\n".join(general).strip(), {k: "\n\n".join(v) for k, v in per_option.items()}


def _relabel(text: str, labels: dict[str, str]) -> str:
    if not labels:
        return text
    return _option_refs(list(labels)).sub(lambda m: f"({labels[m.group(1)]})", text)


def choice_review(spec: dict[str, Any], option_order: list[str], feedback: dict[str, Any] | None) -> dict[str, Any]:
    """Every option in the order the candidate saw it, labelled A, B, C…, marked as picked
    and/or correct, with the explanation's part about it (Markdown rendered, citations of
    other options relabelled); the bank's option ids are not shown."""
    by_id = {o["id"]: o for o in spec["options"]}
    order = [i for i in option_order if i in by_id] or list(by_id)
    order += [i for i in by_id if i not in order]
    labels = option_labels(order)
    feedback = feedback or {}
    selected = set(feedback.get("selected", []))
    correct = set(spec["correct"])
    general, per_option = explanation_split(spec.get("explanation", ""), order)
    multiple = bool(spec.get("multiple", False))
    options = [
        {
            "label": labels[i],
            "html": render_markdown(by_id[i]["text"]),
            "picked": i in selected,
            "correct": i in correct,
            "explanation_html": render_markdown(_relabel(per_option[i], labels)) if i in per_option else "",
        }
        for i in order
    ]
    share = f"1/{len(correct)}"
    return {
        "multiple": multiple,
        "options": options,
        "picked_labels": [labels[i] for i in order if i in selected],
        "correct_labels": [labels[i] for i in order if i in correct],
        "explanation_html": render_markdown(_relabel(general, labels)) if general else "",
        "rule": (
            f"Select all that apply: each correct option you pick earns its share ({share} of the marks); "
            "each wrong pick takes one share away; the score never goes below zero."
            if multiple
            else "One correct option: picking it earns full marks."
        ),
    }


def _choice_explained(review: dict[str, Any], score: float) -> str:
    picked, right = review["picked_labels"], review["correct_labels"]
    if not review["multiple"]:
        if not picked:
            return f"No option picked; the correct one is {right[0]} → 0/100."
        if picked == right:
            return f"You picked {right[0]}, the correct option → 100/100."
        return f"You picked {', '.join(picked)}; the correct option is {right[0]} → 0/100."
    hits = sum(1 for o in review["options"] if o["picked"] and o["correct"])
    wrong = sum(1 for o in review["options"] if o["picked"] and not o["correct"])
    wrong_text = "none wrong" if wrong == 0 else f"{wrong} wrong"
    return (
        f"{hits} of {len(right)} correct picks, {wrong_text} → {points(score)}/100 "
        f"(each correct pick earns 1/{len(right)}, each wrong pick takes 1/{len(right)} away, never below zero)."
    )


# -- numeric ------------------------------------------------------------------------------


def numeric_review(spec: dict[str, Any], feedback: dict[str, Any] | None) -> dict[str, Any]:
    from grading.objective import EPSILON, numeric_tolerance

    feedback = feedback or {}
    given = feedback.get("given")
    tolerance = feedback.get("tolerance", numeric_tolerance(spec))
    answer = spec["answer"]
    return {
        "given": given,
        "answer": answer,
        "tolerance": tolerance,
        "unit": spec.get("unit", ""),
        "within": given is not None and abs(given - answer) <= tolerance + EPSILON,
        "explanation_html": render_markdown(spec.get("explanation", "")),
    }


def _numeric_explained(review: dict[str, Any]) -> str:
    unit = f" {review['unit']}" if review["unit"] else ""
    target = f"{review['answer']:g}{unit} ± {review['tolerance']:g}"
    if review["given"] is None:
        return f"No answer; the expected answer is {target} → 0/100."
    if review["within"]:
        return f"Your {review['given']:g}{unit} is within the tolerance of {target} → 100/100."
    return f"Your {review['given']:g}{unit} is outside the tolerance of {target} → 0/100."


# -- coding ------------------------------------------------------------------------------


def _test_input(spec: dict[str, Any], test: dict[str, Any], result: dict[str, Any]) -> str:
    if result.get("input"):
        return str(result["input"])  # the sandbox's own rendering, where it gives one
    if test.get("generate"):
        return "a generated input"
    text = visible_input_text(
        spec.get("mode", "function"),
        spec.get("entrypoint"),
        args=test.get("args"),
        kwargs=test.get("kwargs"),
        stdin=test.get("stdin"),
    )
    return text or ""


def coding_review(spec: dict[str, Any], submission: dict[str, Any] | None, source: str) -> dict[str, Any]:
    """A coding answer's tests as the candidate may see them: each visible test with its
    name, input, expected and actual output; hidden tests only as groups (the bank's
    ``category``, "Other" for the rest) with how many passed. Never a hidden test's name,
    input or expected value: the sandbox's candidate view has none of them."""
    result = (submission or {}).get("result") or {}
    spec_tests = spec.get("tests", [])

    def spec_of(test_id: str) -> dict[str, Any]:
        # Test ids are "t1", "t2"…: the position in the question's tests (questions/coding.py).
        index = int(test_id[1:]) - 1 if test_id[:1] == "t" and test_id[1:].isdigit() else -1
        return spec_tests[index] if 0 <= index < len(spec_tests) else {}

    tests = result.get("tests", [])
    visible = []
    groups: dict[str, dict[str, Any]] = {}
    categorised = any(spec_of(t["id"]).get("category") for t in tests if not t.get("visible"))
    for test in tests:
        passed = test["verdict"] == "accepted"
        if test.get("visible"):
            visible.append(
                {
                    "name": test["name"],
                    "input": _test_input(spec, spec_of(test["id"]), test),
                    "expected": test.get("expected"),
                    "actual": test.get("actual"),
                    "message": test.get("message", ""),
                    "passed": passed,
                    "verdict_label": verdict_label(test["verdict"]),
                }
            )
            continue
        category = spec_of(test["id"]).get("category") if categorised else None
        name = (category or "other").capitalize() if categorised else "Hidden tests"
        group = groups.setdefault(name, {"name": name, "passed": 0, "total": 0, "failures": {}})
        group["total"] += 1
        if passed:
            group["passed"] += 1
        else:
            label = verdict_label(test["verdict"])
            group["failures"][label] = group["failures"].get(label, 0) + 1
    hidden_groups = sorted(groups.values(), key=lambda g: (g["name"] == "Other", g["name"]))
    for group in hidden_groups:
        group["failures"] = [{"verdict_label": k, "count": v} for k, v in group["failures"].items()]
    weights = [float(t.get("weight", 1.0)) for t in tests]
    return {
        "verdict_label": verdict_label((submission or {}).get("verdict", "")),
        "message": result.get("message", ""),
        "compile_error": bool(result.get("compile_error")),
        "visible_tests": visible,
        "hidden_groups": hidden_groups,
        "passed": sum(1 for t in tests if t["verdict"] == "accepted"),
        "total": len(tests),
        "equal_weights": len(set(weights)) <= 1,
        "points": points(sum(w for t, w in zip(tests, weights, strict=True) if t["verdict"] == "accepted")),
        "points_total": points(sum(weights)),
        "source": source,
    }


def _coding_explained(review: dict[str, Any], score: float) -> str:
    if review["compile_error"]:
        return "Your code did not compile, so no test could pass → 0/100."
    if review["equal_weights"]:
        return f"{review['passed']} of {review['total']} tests passed → {points(score)}/100 (each test counts equally)."
    return (
        f"{review['passed']} of {review['total']} tests passed; tests are weighted, and the passed ones carry "
        f"{review['points']} of {review['points_total']} points → {points(score)}/100."
    )


# -- written -------------------------------------------------------------------------------


TIMES = "\N{MULTIPLICATION SIGN}"


def _written_explained(spec: dict[str, Any], feedback: dict[str, Any], score: float) -> str:
    levels = {c["id"]: c.get("effective_level") for c in feedback.get("criteria", [])}
    graded = [c for c in spec["criteria"] if levels.get(c["id"]) is not None]
    parts = ", ".join(f"{c['name']} level {levels[c['id']]} of 4 (weight {points(c['weight'])})" for c in graded)
    achieved = " + ".join(f"{points(c['weight'])}{TIMES}{levels[c['id']]}" for c in graded)
    total = points(sum(c["weight"] for c in spec["criteria"]))
    return (
        f"Weighted levels: {parts} → 100 {TIMES} ({achieved}) / (4 {TIMES} {total}) = {points(score)}/100 "
        f"(each criterion's level out of 4, {TIMES} its weight)."
    )


def score_explained(kind: str, score: float | None, review: dict[str, Any] | None, spec: dict[str, Any], feedback: Any) -> str:
    """How a graded question's score was computed, in words ("" until it is graded)."""
    if score is None:
        return ""
    if kind == Kind.MULTIPLE_CHOICE and review:
        return _choice_explained(review, score)
    if kind == Kind.NUMERIC and review:
        return _numeric_explained(review)
    if kind == Kind.CODING:
        if review and review["total"]:
            return _coding_explained(review, score)
        message = feedback.get("message") if isinstance(feedback, dict) else ""
        return f"{(message or 'no code was run').capitalize()} → {points(score)}/100."
    if isinstance(feedback, dict) and feedback.get("criteria"):
        return _written_explained(spec, feedback, score)
    return f"{points(score)}/100 (an empty answer scores 0)."


def session_score_explained(scores: list[float | None], total: float | None) -> str:
    """How the session's score combines its questions' (interview/services/scoring.py)."""
    count = len(scores)
    if total is None:
        graded = sum(1 for s in scores if s is not None)
        return (
            f"{graded} of {count} questions graded so far. Your score is the mean of the {count} question scores, "
            "each question counting equally, once every one is graded."
        )
    added = " + ".join(points(s or 0.0) for s in scores)
    return f"The mean of your {count} question scores, each counting equally: ({added}) / {count} = {points(total)}/100."


def question_review(
    *,
    kind: str,
    spec: dict[str, Any],
    option_order: list[str],
    payload: dict[str, Any],
    feedback: Any,
    score: float | None,
    grade_status: str,
    submission: dict[str, Any] | None,
) -> dict[str, Any]:
    """What the results page adds to a question for a practice candidate: display names,
    the kind's side-by-side review (``choice``, ``numeric``, ``coding`` or ``written``) and
    how the score was computed, in words."""
    feedback_dict = feedback if isinstance(feedback, dict) else {}
    review: dict[str, Any] | None = None
    item: dict[str, Any] = {
        "kind_label": kind_label(kind),
        "grade_status_label": GRADE_STATUS_LABELS.get(grade_status, grade_status),
        "score_display": points(score) if grade_status == "graded" else "",
    }
    if kind == Kind.MULTIPLE_CHOICE:
        # Before grading there is no feedback yet: the saved payload says what was picked.
        review = choice_review(spec, option_order, feedback_dict or {"selected": payload.get("selected", [])})
        item["choice"] = review
    elif kind == Kind.NUMERIC:
        review = numeric_review(spec, feedback_dict or {"given": payload.get("value")})
        item["numeric"] = review
    elif kind == Kind.CODING:
        review = coding_review(spec, submission, str(payload.get("source", "")))
        item["coding"] = review
    else:
        item["written"] = {"answer_html": render_markdown(str(payload.get("text", "") or ""))}
    graded = grade_status == "graded"
    item["score_explanation"] = score_explained(kind, score if graded else None, review, spec, feedback_dict)
    return item


# -- follow-ups: the interviewer's questions after an answer, and the replies ------------
# Shown to a practice candidate once the interview is over (assessments show nothing).
# As for the answer itself, the grader's reasoning and the rubric's key points stay with
# the recruiter: the candidate reads the levels, the quotes of their own reply that
# earned them, and the rubric's descriptors.

FOLLOW_UP_STATE_LABELS = {
    "open": "Waiting for your reply",
    "answered": "Answered in time",
    "empty": "No reply",
    "late": "Replied after the time box — kept, not graded",
    "flagged": "This reply tried to instruct the grader, so it was not graded",
}
FOLLOW_UP_NOT_IN_SCORE = "Not part of the score: the code's score is its tests' alone."


def candidate_criterion(criterion: dict[str, Any]) -> dict[str, Any]:
    """A graded criterion as the candidate may read it: without the grader's reasoning,
    its own or that of the follow-up reply's grade (the level and the quotes stay)."""
    shown = {k: v for k, v in criterion.items() if k not in ("reasoning", "follow_up")}
    if isinstance(criterion.get("follow_up"), dict):
        shown["follow_up"] = {k: v for k, v in criterion["follow_up"].items() if k != "reasoning"}
    return shown


def level_change(name: str, before: int, after: int) -> str:
    """What a reply did to its criterion, in words: raised it, or confirmed it."""
    if after > before:
        return f"{name}: level {before} → {after} after your reply"
    return f"{name}: confirmed at level {after}"


def _written_follow_up(item: dict[str, Any], criterion: dict[str, Any] | None, graded: bool) -> None:
    if criterion is None:
        return
    name, level = criterion.get("name", item["criterion_name"]), criterion.get("level")
    if item["state"] != "answered":
        if level is not None and graded:
            item["change"] = f"{name}: stays at level {level}; this reply changed nothing"
        return
    follow_up = criterion.get("follow_up")
    if isinstance(follow_up, dict) and level is not None:
        item["change"] = level_change(name, int(criterion.get("answer_level", level)), int(level))
        item["evidence"] = list(follow_up.get("evidence") or [])
    elif not graded:
        item["pending"] = True


def follow_up_transcript(
    follow_ups: list[dict[str, Any]], *, criteria: list[dict[str, Any]] | None = None, graded: bool = False
) -> list[dict[str, Any]]:
    """An answer's follow-ups in order: "Follow-up N", the question, the reply or its
    state in words (a late reply shown, kept), and for a written answer what the reply
    did to the criterion it probed ("Partitioning: level 1 → 3 after your reply") with the
    reply's evidence quotes. ``follow_ups``: {number, criterion_id, criterion_name,
    question, state, reply, late_reply}; ``criteria``: the written answer's graded
    criteria (interview/services/scoring.py, with ``answer_level`` and ``follow_up`` on
    the probed ones); ``graded``: whether that grade is there."""
    by_id = {c["id"]: c for c in criteria or []}
    transcript = []
    for follow_up in follow_ups:
        state = follow_up["state"]
        item: dict[str, Any] = {
            "number": follow_up["number"],
            "label": f"Follow-up {follow_up['number']}",
            # After the interview the candidate may learn what it probed (never during it).
            "criterion_name": follow_up["criterion_name"],
            "question": follow_up["question"],
            "state": state,
            "state_label": FOLLOW_UP_STATE_LABELS.get(state, state),
            "graded": state == "answered",
            # The reply as saved in time (a flagged one too: nothing the candidate wrote is lost).
            "reply": follow_up["reply"] if state in ("answered", "flagged", "open") else "",
            "late_reply": follow_up["late_reply"] if state == "late" else "",
            "change": "",
            "evidence": [],
            "pending": False,
        }
        if criteria is not None:
            _written_follow_up(item, by_id.get(follow_up["criterion_id"]), graded)
        transcript.append(item)
    return transcript


def coding_follow_up_grade(
    spec: dict[str, Any], *, criteria: list[dict[str, Any]], levels: dict[str, int], score: float | None, grader: str
) -> dict[str, Any]:
    """A coding follow-up reply's grade for the candidate: per criterion of the follow-up's
    rubric its level, what the reply did and what a stronger one does (as the written
    answers' coaching: ``written_coaching``), the reply's quotes that earned it (the
    evidence is here, per criterion, not in the transcript); its score, which is never
    part of the question's (the tests' alone)."""
    from grading.rubric_services import follow_up_rubric

    rubric = follow_up_rubric(spec)
    evidence = {c["id"]: list(c.get("evidence") or []) for c in criteria}
    coaching = written_coaching(rubric, {"criteria": [{"id": cid, "effective_level": lv} for cid, lv in levels.items()]})
    return {
        "criteria": [{**c, "evidence": evidence.get(c["id"], [])} for c in (coaching or {}).get("criteria", [])],
        "rubric": (coaching or {}).get("rubric", []),
        "score": score,
        "score_display": points(score),
        "provisional": grader == "local",
        "note": FOLLOW_UP_NOT_IN_SCORE,
    }


def answer_follow_ups_results(answer: Any, *, kind: str, spec: dict[str, Any], feedback: Any) -> dict[str, Any]:
    """What the practice results add to a question whose answer had follow-ups (nothing
    when it had none): ``follow_ups``, the transcript; for code, ``follow_up_grade`` (None
    while the reply is being graded, or when it had nothing to grade); and
    ``follow_ups_state``, which changes when that grade arrives (the page refreshes then)."""
    from grading.rubric_services import FOLLOW_UP_PART, effective_levels, follow_up_rubric, grade_score

    follow_ups = [
        {
            "number": f.number,
            "criterion_id": f.criterion_id,
            "criterion_name": f.criterion_name,
            "question": f.question,
            "state": f.state,
            "reply": f.reply,
            "late_reply": f.late_reply,
        }
        for f in answer.follow_ups.all()
    ]
    if not follow_ups:
        return {}
    if kind != Kind.CODING:
        criteria = feedback.get("criteria") if isinstance(feedback, dict) else None
        graded = bool(criteria) and answer.grade_status == "graded"
        return {
            "follow_ups": follow_up_transcript(follow_ups, criteria=criteria or [], graded=graded),
            "follow_ups_state": "",
        }
    transcript = follow_up_transcript(follow_ups)
    grade = answer.grades.filter(part=FOLLOW_UP_PART).prefetch_related("overrides").order_by("-created_at", "-id").first()
    replied = any(f["state"] == "answered" for f in follow_ups)
    shown = None
    if grade is not None and "follow_up" in spec:
        levels = effective_levels(grade)
        shown = coding_follow_up_grade(
            spec,
            criteria=grade.criteria,
            levels=levels,
            score=grade_score(grade, follow_up_rubric(spec)),
            grader=grade.grader,
        )
    for item in transcript:
        item["pending"] = item["state"] == "answered" and shown is None
    return {
        "follow_ups": transcript,
        "follow_up_grade": shown,
        "follow_ups_state": f"graded:{grade.id}" if shown is not None else ("pending" if replied else "none"),
    }
