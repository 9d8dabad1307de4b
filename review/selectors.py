"""Reads of the review side that more than one page or API needs."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast, Coalesce

from accounts.models import User
from config.errors import NotFoundError
from grading.models import AnswerGrade, GradeOverride
from grading.rubric_services import FOLLOW_UP_PART
from interview.models import Answer, InterviewSession
from review.models import SimilarityFlag


def grade_for_reviewer(*, user: User, grade_id: int) -> AnswerGrade:
    """A rubric grade the user may review: staff see all; a recruiter, their organization's."""
    grades = AnswerGrade.objects.select_related("answer__session_question__session", "answer__session_question__question_version")
    if not user.is_staff:
        if not user.is_recruiter:
            raise NotFoundError("no such grade")
        grades = grades.filter(answer__session_question__session__organization_id=user.organization_id)
    grade = grades.filter(id=grade_id).first()
    if grade is None:
        raise NotFoundError("no such grade")
    return grade


# -- the review queue ------------------------------------------------------------------
# Answers of finished assessments a person should look at: a rubric grade that asks for a
# human (low confidence, an injection suspected, the model refused or gave nothing usable,
# samples that disagree, an answer no grader can read), a similarity flag, an answer
# still being graded; and, once a person decided, the answers they overrode.

QUEUE_REASONS = (
    "low_confidence",
    "injection",
    "llm_refused",
    "no_usable_grade",
    "disagreement",
    "unfit_answer",
    "similarity",
    "pending",
    "needs_review",
)
QUEUE_STATES = ("needs_review", "overridden", "all")
QUEUE_SORTS = ("waiting", "-waiting", "score", "-score", "candidate")

# What each grade-side reason's sentence says (grading/rubric_services.py writes them).
_REASON_WORDS = {
    "low_confidence": "not confident",
    "injection": "injection",
    "llm_refused": "refused",
    "no_usable_grade": "no usable grade",
    "disagreement": "samples disagree",
    "unfit_answer": "answer is ",
}


# A follow-up reply that tried to steer the grader was not graded, and says so among the
# grade's reasons (interview/services/scoring.py): an injection attempt too.
_STEERING_WORDS = "steer the grader"


def reasons_of_grade(review_reasons: list[str], *, injection_suspected: bool = False) -> list[str]:
    """The queue's reason codes for a rubric grade's review reasons, in QUEUE_REASONS order."""
    text = " ".join(review_reasons).lower()
    codes = [code for code, words in _REASON_WORDS.items() if words in text]
    if _STEERING_WORDS in text and "injection" not in codes:
        codes.append("injection")
    if injection_suspected and "injection" not in codes:
        codes.insert(0, "injection")
    return [code for code in QUEUE_REASONS if code in codes]


def review_queue(
    *,
    user: User,
    reason: str = "",
    template_id: int | None = None,
    kind: str = "",
    state: str = "needs_review",
    sort: str = "waiting",
) -> QuerySet[Answer]:
    """The review queue of the user's organization (everything for staff; nothing for
    anyone else), filtered and sorted. Each answer carries ``grade_id``, ``grade_status_``,
    ``grade_reasons`` (the text of its latest grade's reasons), ``grade_injection``,
    ``machine_score``, ``flagged``, ``overridden`` and ``waiting_since``; and the same of
    the latest grade of a coding answer's follow-up reply (``follow_up_grade_id``,
    ``follow_up_status_``, ``follow_up_reasons``, ``follow_up_injection``), which is never
    in the answer's score but asks for a person like any rubric grade.

    States: ``needs_review`` (no human decision yet), ``overridden`` (a person set a
    level), ``all``. Sorts: ``waiting`` (longest waiting first, the default), ``-waiting``,
    ``score`` (lowest machine score first), ``-score``, ``candidate``.
    """
    answers = Answer.objects.filter(
        session_question__session__mode=InterviewSession.Mode.ASSESSMENT,
        session_question__session__status=InterviewSession.Status.FINISHED,
    )
    if not user.is_staff:
        if not user.is_recruiter:
            return answers.none()
        answers = answers.filter(session_question__session__organization_id=user.organization_id)
    # Only the answer's latest grade counts: a re-grade replaces the one before. A coding
    # answer's follow-up reply has grades of its own (part "follow_up"), read apart.
    latest = AnswerGrade.objects.filter(answer_id=OuterRef("pk"), part="").order_by("-created_at", "-id")
    latest_follow_up = AnswerGrade.objects.filter(answer_id=OuterRef("pk"), part=FOLLOW_UP_PART).order_by("-created_at", "-id")
    flags = SimilarityFlag.objects.filter(Q(answer_a_id=OuterRef("pk")) | Q(answer_b_id=OuterRef("pk")))
    answers = answers.annotate(
        grade_id=Subquery(latest.values("id")[:1]),
        grade_status_=Subquery(latest.values("status")[:1]),
        grade_reasons=Subquery(latest.annotate(text=Cast("review_reasons", TextField())).values("text")[:1]),
        grade_injection=Subquery(latest.values("injection_suspected")[:1]),
        grade_created=Subquery(latest.values("created_at")[:1]),
        follow_up_grade_id=Subquery(latest_follow_up.values("id")[:1]),
        follow_up_status_=Subquery(latest_follow_up.values("status")[:1]),
        follow_up_reasons=Subquery(latest_follow_up.annotate(text=Cast("review_reasons", TextField())).values("text")[:1]),
        follow_up_injection=Subquery(latest_follow_up.values("injection_suspected")[:1]),
        follow_up_created=Subquery(latest_follow_up.values("created_at")[:1]),
        machine_score=Coalesce(Subquery(latest.values("machine_score")[:1]), F("score")),
        flagged=Exists(flags),
        flag_created=Subquery(flags.order_by("created_at").values("created_at")[:1]),
    ).annotate(
        overridden=Exists(
            GradeOverride.objects.filter(Q(grade_id=OuterRef("grade_id")) | Q(grade_id=OuterRef("follow_up_grade_id")))
        ),
        waiting_since=Coalesce("grade_created", "follow_up_created", "flag_created", "saved_at"),
    )
    asks = Q(grade_status_=AnswerGrade.Status.NEEDS_REVIEW) | Q(follow_up_status_=AnswerGrade.Status.NEEDS_REVIEW)
    # Pending with no grade yet: still being graded. (An answer whose grade waits for a
    # person is pending too; it is in the queue for that grade's reasons.)
    pending = Q(grade_status=Answer.GradeStatus.PENDING, grade_id__isnull=True)
    if state == "overridden":
        answers = answers.filter(overridden=True)
    elif state == "all":
        answers = answers.filter(asks | pending | Q(flagged=True) | Q(overridden=True))
    else:
        # A similarity flag waits for a person until one decides on the answer's grade.
        undecided_flag = Q(flagged=True, overridden=False) & ~Q(grade_status_=AnswerGrade.Status.REVIEWED)
        answers = answers.filter(asks | pending | undecided_flag)
    if reason == "similarity":
        answers = answers.filter(flagged=True)
    elif reason == "pending":
        answers = answers.filter(pending)
    elif reason == "needs_review":
        answers = answers.filter(asks)
    elif reason == "injection":
        answers = answers.filter(
            Q(grade_reasons__icontains="injection")
            | Q(grade_injection=True)
            | Q(grade_reasons__icontains=_STEERING_WORDS)
            | Q(follow_up_reasons__icontains="injection")
            | Q(follow_up_injection=True)
            | Q(follow_up_reasons__icontains=_STEERING_WORDS)
        )
    elif reason in _REASON_WORDS:
        words = _REASON_WORDS[reason]
        answers = answers.filter(Q(grade_reasons__icontains=words) | Q(follow_up_reasons__icontains=words))
    if template_id is not None:
        answers = answers.filter(session_question__session__template_id=template_id)
    if kind:
        answers = answers.filter(session_question__question_version__question__kind=kind)
    order = {
        "-waiting": [F("waiting_since").desc()],
        "score": [F("machine_score").asc(nulls_last=True), "waiting_since"],
        "-score": [F("machine_score").desc(nulls_last=True), "waiting_since"],
        "candidate": ["session_question__session__candidate__email", "session_question__position"],
    }.get(sort, ["waiting_since"])
    return answers.select_related(
        "session_question__session__candidate",
        "session_question__session__template",
        "session_question__question_version__question",
    ).order_by(*order, "id")


def grades_needing_review(*, user: User) -> QuerySet[AnswerGrade]:
    """Rubric grades waiting for a person, newest first (the API's queue): staff see all;
    a recruiter, their organization's; anyone else, none."""
    grades = AnswerGrade.objects.filter(status=AnswerGrade.Status.NEEDS_REVIEW).select_related(
        "answer__session_question__session__candidate",
        "answer__session_question__question_version__question__current_version",
    )
    if not user.is_staff:
        if not user.is_recruiter:
            return grades.none()
        grades = grades.filter(answer__session_question__session__organization_id=user.organization_id)
    return grades.prefetch_related("overrides__by")
