"""The interview state Prometheus reads at scrape time (registered with config.metrics in ready())."""

from __future__ import annotations

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from grading.models import AnswerGrade, Submission
from interview.models import Answer, InterviewSession
from questions.bank_format import Kind


def database_gauges() -> list[Metric]:
    """Submissions waiting or running, written answers awaiting a grade, interviews in progress.

    Read at scrape time, inside config.metrics' statement timeout."""
    # order_by(): the models' default ordering would split the groups.
    by_status = dict(
        Submission.objects.filter(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    by_mode = dict(
        InterviewSession.objects.filter(status=InterviewSession.Status.IN_PROGRESS)
        .order_by()
        .values_list("mode")
        .annotate(n=Count("id"))
    )
    written = Answer.objects.filter(
        grade_status=Answer.GradeStatus.PENDING, session_question__question_version__question__kind=Kind.FREE_TEXT
    )
    waiting_for_grader = written.filter(grades__isnull=True).count()
    waiting_for_review = written.filter(grades__status=AnswerGrade.Status.NEEDS_REVIEW).distinct().count()

    submissions = GaugeMetricFamily(
        "mockloop_submissions_pending", "Submissions waiting for a worker (queued) or being run (running).", labels=["status"]
    )
    for status in (Submission.Status.QUEUED, Submission.Status.RUNNING):
        submissions.add_metric([status.value], by_status.get(status.value, 0))
    answers = GaugeMetricFamily(
        "mockloop_answers_awaiting_rubric_grade",
        "Written answers of finished interviews without a score: waiting for the grader, or for a human reviewer.",
        labels=["waiting_for"],
    )
    answers.add_metric(["grader"], waiting_for_grader)
    answers.add_metric(["review"], waiting_for_review)
    sessions = GaugeMetricFamily("mockloop_sessions_in_progress", "Interviews in progress, by mode.", labels=["mode"])
    for mode in InterviewSession.Mode:
        sessions.add_metric([mode.value], by_mode.get(mode.value, 0))
    return [submissions, answers, sessions]
