"""Builds finished, fully graded assessments the way production does: the real sandbox runs
the code, the local rubric grader grades the written answer."""

from __future__ import annotations

from grading.models import Submission
from grading.services import submission_run
from interview import services
from interview.models import Answer, InterviewSession, InterviewTemplate, TemplateSection
from interview.services import answer_rubric_grade
from questions.models import Question

SOLUTION = (
    "from collections import Counter\n\n"
    "def count_pairs(nums, target):\n"
    "    seen = Counter()\n"
    "    total = 0\n"
    "    for value in nums:\n"
    "        total += seen[target - value]\n"
    "        seen[value] += 1\n"
    "    return total\n"
)
DESIGN = (
    "Keys are spread with consistent hashing and virtual nodes so that adding a node moves few keys. "
    "Each node keeps an LRU eviction and a TTL per entry; replicas sit on the next nodes of the ring."
)


def report_template() -> InterviewTemplate:
    """Coding, multiple choice and design, in two sections. Needs the `bank` fixture."""
    template = InterviewTemplate.objects.create(slug="full", title="Full loop", total_minutes=60)
    coding = TemplateSection.objects.create(template=template, position=1, title="Coding")
    coding.questions.add(Question.objects.get(slug="sum-pairs"))
    theory = TemplateSection.objects.create(template=template, position=2, title="Theory and design")
    theory.questions.add(Question.objects.get(slug="pick-metric"), Question.objects.get(slug="design-cache"))
    return template


def graded_assessment(
    recruiter,
    candidate,
    template,
    *,
    code: str = SOLUTION,
    text: str = DESIGN,
    choice: str = "b",
    capture=None,
    grade: bool = True,
) -> InterviewSession:
    """Invites, answers, finishes and grades one assessment; returns the finished session.
    With grade=False the grading is left to a running Celery worker."""
    from contextlib import nullcontext

    capture = capture or nullcontext
    with capture():
        _, token = services.assessment_invite_create(invited_by=recruiter, template=template, email=candidate.email)
    session = services.assessment_start(token=token, candidate=candidate)
    payloads = {"coding": {"source": code}, "multiple_choice": {"selected": [choice]}, "free_text": {"text": text}}
    for question in session.questions.select_related("question_version__question"):
        payload = payloads[question.question_version.question.kind]
        services.answer_save(session=session, position=question.position, payload=payload, revision=1)
    with capture():
        services.session_finish(session_id=session.id, reason="candidate")
    if not grade:
        return session
    for submission in Submission.objects.filter(user=candidate, status=Submission.Status.QUEUED):
        submission_run(submission_id=submission.id, worker="test")
    written = Answer.objects.get(
        session_question__session=session, session_question__question_version__question__kind="free_text"
    )
    answer_rubric_grade(answer_id=written.id)
    session.refresh_from_db()
    return session
