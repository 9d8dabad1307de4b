"""Celery tasks for interviews: thin, they take ids and call services."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from accounts.models import invite_token_hash
from grading.llm import LlmUnavailable
from grading.llm_budget import BudgetExhausted
from interview import selectors, services
from interview.models import AssessmentInvite
from interview.services import follow_ups


@shared_task
def sessions_finalize_expired() -> int:
    """Finishes and grades sessions whose time ran out (every 15 s from beat)."""
    return len(services.sessions_finalize_expired())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def assessment_invite_email_send(invite_id: int, token: str) -> bool:
    invite = AssessmentInvite.objects.select_related("organization", "template").filter(id=invite_id).first()
    # A resend replaces the token: an older message still queued would carry a dead link.
    if invite is None or invite.status != "pending" or invite.token_hash != invite_token_hash(token):
        return False
    link = f"{settings.SITE_URL}/assess/{token}/"
    send_mail(
        subject=f"{invite.organization.name} invites you to an interview on mockloop",
        message=(
            f"Hello {invite.candidate_name or ''},\n\n{invite.organization.name} invites you to take "
            f'"{invite.template.title}" ({invite.template.total_minutes} minutes, timed from when you start).\n\n'
            f"Start it here when you are ready:\n{link}\n\n"
            f"The link works once and expires on {invite.expires_at:%Y-%m-%d %H:%M} UTC."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invite.email],
    )
    return True


# Registered under the name it had in grading/tasks.py, so that messages queued before the
# move still find it.
@shared_task(bind=True, acks_late=True, max_retries=8, name="grading.tasks.rubric_grade_task")
def answer_rubric_grade_task(self, answer_id: int, regrade: bool = False) -> str | None:
    """Has a written answer graded (again, with ``regrade``). An unreachable LLM leaves it
    pending and is retried with backoff (then by answers_rubric_grade_requeue)."""
    if not selectors.answer_awaits_grade(answer_id=answer_id, regrade=regrade):
        # Graded already, or waiting for a human: a second delivery changes nothing, pays nothing.
        return None
    try:
        return services.answer_rubric_grade(answer_id=answer_id).status
    except BudgetExhausted as exc:
        services.answer_rubric_grade_waiting(answer_id=answer_id, status="budget_exhausted", message=str(exc))
        return "budget_exhausted"
    except LlmUnavailable as exc:
        services.answer_rubric_grade_waiting(answer_id=answer_id, status="waiting_for_grader", message=str(exc)[:300])
        raise self.retry(exc=exc, countdown=llm_retry_countdown(self.request.retries, exc.retry_after)) from None


def llm_retry_countdown(retries: int, retry_after: float | None, *, rng: random.Random | None = None) -> float:
    """Seconds before the next try: exponential from LLM_BACKOFF_SECONDS, at most 30 min,
    within +-20 % so that answers failing together do not all return at the same second,
    and never sooner than the server's Retry-After."""
    backoff = min(settings.LLM_BACKOFF_SECONDS * 2**retries, 1800) * (rng or random).uniform(0.8, 1.2)
    return max(backoff, retry_after or 0.0)


@shared_task
def answers_rubric_grade_requeue() -> int:
    """Re-queues written answers of finished interviews that still have no grade."""
    pending = services.answers_rubric_grade_pending()
    for answer_id in pending:
        answer_rubric_grade_task.delay(answer_id)
    follow_ups_pending = services.answers_follow_up_grade_pending()
    for answer_id in follow_ups_pending:
        follow_up_grade_task.delay(answer_id)
    return len(pending) + len(follow_ups_pending)


@shared_task
def follow_ups_ask_task(answer_id: int) -> int:
    """Writes and asks a submitted answer's follow-ups (an LLM is configured); a failing
    model leaves the authored probes (grading/follow_up_services.py)."""
    return len(follow_ups.follow_ups_ask(answer_id=answer_id))


@shared_task
def follow_ups_due_sweep() -> int:
    """Asks follow-ups whose section's time ran out, or whose writer never came (beat)."""
    return follow_ups.follow_ups_due_sweep()


@shared_task(bind=True, acks_late=True, max_retries=8)
def follow_up_grade_task(self, answer_id: int) -> str | None:
    """Grades the reply to a coding answer's follow-up; an unreachable LLM is retried."""
    try:
        grade = services.answer_follow_up_grade(answer_id=answer_id)
    except BudgetExhausted:
        return "budget_exhausted"
    except LlmUnavailable as exc:
        raise self.retry(exc=exc, countdown=llm_retry_countdown(self.request.retries, exc.retry_after)) from None
    return grade.status if grade is not None else None
