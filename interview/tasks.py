"""Celery tasks for interviews: thin, they take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from grading.llm import LlmUnavailable
from grading.rubric_services import BudgetExhausted
from interview import selectors, services
from interview.models import AssessmentInvite


@shared_task
def sessions_finalize_expired() -> int:
    """Finishes and grades sessions whose time ran out (every 15 s from beat)."""
    return len(services.sessions_finalize_expired())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def assessment_invite_email_send(invite_id: int, token: str) -> bool:
    invite = AssessmentInvite.objects.select_related("organization", "template").filter(id=invite_id).first()
    if invite is None or invite.status != "pending":
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
def answer_rubric_grade_task(self, answer_id: int) -> str | None:
    """Has a written answer graded. An unreachable, refusing or truncating LLM leaves it
    pending and is retried with backoff (then by answers_rubric_grade_requeue)."""
    if not selectors.answer_awaits_grade(answer_id=answer_id):
        return None  # graded already: a second delivery changes nothing
    try:
        return services.answer_rubric_grade(answer_id=answer_id).status
    except BudgetExhausted as exc:
        services.answer_rubric_grade_waiting(answer_id=answer_id, status="budget_exhausted", message=str(exc))
        return "budget_exhausted"
    except LlmUnavailable as exc:
        services.answer_rubric_grade_waiting(answer_id=answer_id, status="waiting_for_grader", message=str(exc)[:300])
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 1800)) from None


@shared_task
def answers_rubric_grade_requeue() -> int:
    """Re-queues written answers of finished interviews that still have no grade."""
    pending = services.answers_rubric_grade_pending()
    for answer_id in pending:
        answer_rubric_grade_task.delay(answer_id)
    return len(pending)
