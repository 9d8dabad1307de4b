"""A demo cohort for Acme: one assessment template taken by several candidates, through the
same services a real candidate goes through, so the dashboard, reports, cohort chart and
similarity flags have something to show. Grading happens on the Celery worker, as usual."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from interview import services
from interview.models import IntegrityEvent, InterviewSession, InterviewTemplate
from questions.models import Question

TEMPLATE_TITLE = "Acme backend screen"
BANK = Path(settings.BASE_DIR) / "questions" / "bank"
CODING, CHOICE, NUMERIC, DESIGN = (
    "merge-intervals",
    "bias-variance-high-variance",
    "f1-from-confusion-matrix",
    "distributed-cache",
)
# The bank folders (track/slug) the demo's template draws on.
DEMO_QUESTIONS = (("python_dsa", CODING), ("ml_fundamentals", CHOICE), ("ml_fundamentals", NUMERIC), ("system_design", DESIGN))

# Sorts but never merges: wrong, and written nothing like the reference.
WRONG_MERGE = """def merge(intervals):
    if not intervals:
        return []
    pairs = sorted(intervals)
    return [list(p) for p in pairs]
"""
WEAK_DESIGN = "I would put Redis in front of the database and add more servers when it gets slow."
MIDDLE_DESIGN = (
    "Shard the keys over the cache nodes by hashing the key modulo the number of nodes. Each node "
    "evicts the least recently used entries when memory is full and entries expire after a TTL. "
    "Reads go to the cache first and fall back to the database on a miss, then fill the cache."
)


def _renamed(source: str) -> str:
    """The reference solution with its names changed and reformatted: what a copier submits."""
    names = {"merged": "result", "start": "lo", "end": "hi", "interval": "iv", "intervals": "items"}
    copied = re.sub(r"\b(" + "|".join(names) + r")\b", lambda m: names[m.group(1)], source)
    return "# my solution\n" + copied.replace("    ", "  ")


def _bank_text(slug: str, name: str, track: str) -> str:
    return (BANK / track / slug / name).read_text()


# Minutes spent on each question, in order: coding, multiple choice, numeric, design.
MINUTES = (17, 3, 6, 19)


def _events_record(session: InterviewSession, started, payloads: dict[str, dict], *, pasted: bool) -> None:
    """What the assessment page records: each question opened, and for a copier, leaving
    the page, coming back and pasting a whole answer."""
    events, at = [], started
    for question, minutes in zip(
        session.questions.select_related("question_version__question").order_by("position"), MINUTES, strict=True
    ):
        events.append(IntegrityEvent(session=session, position=question.position, kind="question_shown", at=at))
        payload = payloads[question.question_version.question.kind]
        text = payload.get("source") or payload.get("text")
        if pasted and text:
            away = at + timedelta(minutes=1)
            events += [
                IntegrityEvent(session=session, position=question.position, kind="focus_lost", at=away),
                IntegrityEvent(session=session, position=question.position, kind="focus_back", at=away + timedelta(seconds=40)),
                IntegrityEvent(
                    session=session,
                    position=question.position,
                    kind="paste",
                    chars=len(text),
                    at=away + timedelta(seconds=41),
                ),
            ]
        at += timedelta(minutes=minutes)
    IntegrityEvent.objects.bulk_create(events)


def demo_cohort_seed(*, organization: Organization, recruiter: User, password: str) -> InterviewTemplate | None:
    """Creates the cohort once (None when it exists or the bank is not imported)."""
    if InterviewTemplate.objects.filter(organization=organization, title=TEMPLATE_TITLE).exists():
        return None
    questions = {q.slug: q for q in Question.objects.filter(slug__in=[CODING, CHOICE, NUMERIC, DESIGN], organization=None)}
    if len(questions) < 4:
        return None
    solution = _bank_text(CODING, "solution.py", "python_dsa")
    naive = _bank_text(CODING, "naive.py", "python_dsa")
    strong_design = _bank_text(DESIGN, "strong_answer.md", "system_design")
    with transaction.atomic():
        template = services.template_create(
            user=recruiter,
            title=TEMPLATE_TITLE,
            total_minutes=60,
            description="Coding, ML fundamentals and a design question.",
            sections=[
                {"title": "Coding", "questions": [questions[CODING].id]},
                {"title": "ML fundamentals", "questions": [questions[CHOICE].id, questions[NUMERIC].id]},
                {"title": "System design", "questions": [questions[DESIGN].id]},
            ],
        )
        # name, email, code, choice, number, design, pasted design
        candidates = [
            ("Priya Strong", "priya@example.test", solution, ["a", "b"], 0.6667, strong_design, False),
            ("Sam Copier", "sam@example.test", _renamed(solution), ["a", "b"], 0.6667, strong_design[:900], True),
            ("Lee Middle", "lee@example.test", naive, ["a"], 0.5, MIDDLE_DESIGN, False),
            ("Kim Weak", "kim@example.test", WRONG_MERGE, ["c"], 0.9, WEAK_DESIGN, False),
        ]
        for name, email, code, choice, number, design, pasted in candidates:
            candidate = User.objects.filter(email=email).first() or User.objects.create_user(email, password, name=name)
            _, token = services.assessment_invite_create(
                invited_by=recruiter, template=template, email=email, candidate_name=name
            )
            session = services.assessment_start(token=token, candidate=candidate)
            payloads = {
                "coding": {"source": code},
                "multiple_choice": {"selected": choice},
                "numeric": {"value": number},
                "free_text": {"text": design},
            }
            for question in session.questions.select_related("question_version__question"):
                kind = question.question_version.question.kind
                services.answer_save(session=session, position=question.position, payload=payloads[kind], revision=1)
            # Spread the cohort over the last days, as a real one would be.
            started = timezone.now() - timedelta(days=len(email) % 5 + 1, minutes=50)
            InterviewSession.objects.filter(id=session.id).update(started_at=started, deadline=started + timedelta(minutes=60))
            _events_record(session, started, payloads, pasted=pasted)
            services.session_finish(session_id=session.id, reason=InterviewSession.FinishReason.CANDIDATE)
            InterviewSession.objects.filter(id=session.id).update(finished_at=started + timedelta(minutes=sum(MINUTES)))
        # One invited who has not started yet.
        services.assessment_invite_create(
            invited_by=recruiter, template=template, email="noor@example.test", candidate_name="Noor Invited"
        )
    return template
