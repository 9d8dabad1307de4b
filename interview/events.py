"""The events an interview publishes to its organization's webhooks (accounts/ sends them)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import WebhookDelivery, WebhookEvent
from accounts.webhook_services import webhook_event_emit
from interview.models import InterviewSession


def session_event_data(session: InterviewSession) -> dict[str, Any]:
    """What a receiver learns of a session: who, which template, the outcome. No answers, no code."""
    return {
        "session": session.id,
        "template": {"id": session.template_id, "title": session.template.title},
        "candidate": {"email": session.candidate.email, "name": session.candidate.name},
        "status": session.status,
        "finish_reason": session.finish_reason,
        "finished_at": session.finished_at.isoformat() if session.finished_at else None,
        "score": session.score,
        "report_url": reverse("api:report", args=[session.id]),
    }


def session_event_emit(*, session_id: int, event: WebhookEvent) -> list[WebhookDelivery]:
    """Emits a session event to the session's organization. Assessments only: a practice
    session is the candidate's own business."""
    session = (
        InterviewSession.objects.select_related("template", "candidate")
        .filter(id=session_id, mode=InterviewSession.Mode.ASSESSMENT, organization__isnull=False)
        .first()
    )
    if session is None or session.organization_id is None:
        return []
    return webhook_event_emit(organization_id=session.organization_id, event=event, data=session_event_data(session))
