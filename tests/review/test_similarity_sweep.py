"""A similarity check lost with the broker at finish is found and run by the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from interview import services
from interview import tasks as interview_tasks
from interview.models import Answer, InterviewSession, InterviewTemplate, TemplateSection
from questions.models import Question
from review import tasks
from review.models import SimilarityCheck, SimilarityFlag

pytestmark = pytest.mark.django_db

ESSAY = " ".join(
    f"the cache layer {word} keeps hot keys in memory with consistent hashing and replication to survive node loss"
    for word in ("first", "second", "third", "fourth", "fifth")
)


def _finished_with(candidate, text: str, template) -> InterviewSession:
    session = services.practice_start(candidate=candidate, template=template)
    services.answer_save(session=session, position=1, payload={"text": text}, revision=1)
    services.session_finish(session_id=session.id, reason="candidate")
    return InterviewSession.objects.get(id=session.id)


def test_a_check_lost_with_the_broker_at_finish_is_run_by_the_sweep(
    alice, bob, bank, monkeypatch, django_capture_on_commit_callbacks
):
    template = InterviewTemplate.objects.create(slug="essay", title="Essay", total_minutes=30)
    TemplateSection.objects.create(template=template, position=1, title="Design").questions.add(
        Question.objects.get(slug="design-cache")
    )
    sent: list[int] = []

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.answer_similarity_task, "delay", broker_down)
    monkeypatch.setattr(interview_tasks.answer_rubric_grade_task, "delay", lambda *a, **k: None)
    with django_capture_on_commit_callbacks(execute=True):
        first = _finished_with(alice, ESSAY, template)
    with django_capture_on_commit_callbacks(execute=True):
        second = _finished_with(bob, ESSAY + " indeed", template)
    # Both checks were lost: nothing was flagged and nothing says they ran.
    assert not SimilarityFlag.objects.exists() and not SimilarityCheck.objects.exists()
    # Too soon for the sweep: the message may still be on its way.
    monkeypatch.setattr(tasks.answer_similarity_task, "delay", lambda answer_id: sent.append(answer_id))
    assert tasks.answers_similarity_sweep() == 0
    InterviewSession.objects.filter(id__in=[first.id, second.id]).update(finished_at=timezone.now() - timedelta(minutes=5))
    # The broker is back: the sweep queues both, and running them flags the pair.
    assert tasks.answers_similarity_sweep() == 2
    for answer_id in sent:
        tasks.answer_similarity_task(answer_id)
    assert SimilarityFlag.objects.count() == 1
    assert SimilarityCheck.objects.count() == 2
    sent.clear()
    assert tasks.answers_similarity_sweep() == 0 and sent == []
    assert set(Answer.objects.filter(similarity_check__isnull=False).values_list("id", flat=True)) == {
        Answer.objects.get(session_question__session=first).id,
        Answer.objects.get(session_question__session=second).id,
    }
