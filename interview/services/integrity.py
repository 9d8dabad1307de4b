"""Integrity events of an assessment: pastes, copies, leaving and returning to the page."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import ApplicationError
from interview.models import IntegrityEvent, InterviewSession
from interview.services.sessions import SessionClosed

log = logging.getLogger(__name__)

# A batch is what the page sends every few seconds; the per-session cap keeps a hostile
# client from filling the database (a real assessment makes a few hundred at most).
# Event times are the browser's clock corrected by the offset it measured against ours;
# anything further off than the slack is not from this session.
MAX_EVENTS_PER_BATCH = 100
MAX_EVENTS_PER_SESSION = 2000
EVENT_CLOCK_SLACK = timedelta(minutes=2)


class EventsNotRecorded(ApplicationError):
    code = "events_not_recorded"
    status_code = 409


def integrity_events_record(*, session: InterviewSession, events: list[dict[str, Any]]) -> tuple[int, int]:
    """Stores a batch of the assessment page's events (pastes and copies by size only,
    leaving and returning to the page). Returns how many were stored and how many were
    dropped because the session already holds ``MAX_EVENTS_PER_SESSION``: those are
    accepted, so the page does not retry them, and counted on the session.

    Every event must name one of the session's questions (or none) and a time within
    the session; otherwise the whole batch is refused, with ``fields`` naming each bad
    event by its index.
    """
    now = timezone.now()
    with transaction.atomic():
        # The row lock serializes batches of one session, so the cap holds exactly.
        session = InterviewSession.objects.select_for_update().get(id=session.id)
        if session.mode != InterviewSession.Mode.ASSESSMENT:
            raise EventsNotRecorded("practice interviews record no integrity events")
        if session.status != InterviewSession.Status.IN_PROGRESS:
            raise SessionClosed("this interview is finished; no more events are recorded")
        positions = set(session.questions.values_list("position", flat=True))
        earliest, latest = session.started_at - EVENT_CLOCK_SLACK, now + EVENT_CLOCK_SLACK
        problems: dict[int, dict[str, list[str]]] = {}
        for index, event in enumerate(events):
            if event["position"] is not None and event["position"] not in positions:
                problems.setdefault(index, {})["position"] = [f"this interview has no question {event['position']}"]
            if not earliest <= event["at"] <= latest:
                problems.setdefault(index, {})["at"] = ["not within this interview's time"]
        if problems:
            first = min(problems)
            field = next(iter(problems[first]))
            raise ApplicationError(
                f"events: event {first}: {field}: {problems[first][field][0]}", code="invalid", fields={"events": problems}
            )
        room = max(0, MAX_EVENTS_PER_SESSION - session.integrity_events.count())
        rows = []
        for event in events[:room]:
            sized = event["kind"] in (IntegrityEvent.Kind.PASTE, IntegrityEvent.Kind.COPY)
            row = IntegrityEvent(
                session=session,
                position=event["position"],
                kind=event["kind"],
                chars=event["chars"] if sized else 0,
                # Within the slack, a time just outside the session is clock drift:
                # pinned inside it, so durations computed later are never negative.
                at=min(max(event["at"], session.started_at), now),
                received_at=now,
            )
            row.full_clean(exclude=["session"], validate_unique=False, validate_constraints=False)
            rows.append(row)
        IntegrityEvent.objects.bulk_create(rows)
        dropped = len(events) - len(rows)
        if dropped:
            InterviewSession.objects.filter(id=session.id).update(
                integrity_events_dropped=F("integrity_events_dropped") + dropped
            )
            log.info("session %s: %s integrity events over the cap dropped", session.id, dropped)
    return len(rows), dropped
