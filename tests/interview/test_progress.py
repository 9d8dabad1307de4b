"""A candidate's progress (interview/progress_selectors.py) and single-question practice
(interview/services/question_practice.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from config.charts import line_chart_svg
from config.errors import NotFoundError
from interview import progress_selectors as progress
from interview import services
from interview.models import Answer, InterviewSession, InterviewTemplate
from questions.models import Question
from tests.conftest import assert_no_active_content

WRONG_CHOICE = {"selected": ["a"]}  # pick-metric: b is right
RIGHT_VALUE = {"value": 0.75}  # auc-value


def practise(candidate, slug: str, payload: dict, *, days_ago: int = 0) -> InterviewSession:
    """A single-question practice of ``slug``, answered and finished (objective kinds grade at once)."""
    session = services.practice_start_question(candidate=candidate, question=Question.objects.get(slug=slug))
    services.answer_save(session=session, position=1, payload=payload, revision=1)
    services.session_candidate_finish(session=session)
    if days_ago:
        InterviewSession.objects.filter(id=session.id).update(finished_at=timezone.now() - timedelta(days=days_ago))
    session.refresh_from_db()
    return session


# -- the single-question service -------------------------------------------------------


def test_it_starts_a_timed_practice_of_just_that_question(alice, bank):
    question = Question.objects.get(slug="sum-pairs")
    session = services.practice_start_question(candidate=alice, question=question)
    assert session.mode == "practice" and session.status == "in_progress" and session.organization is None
    assert [q.question_version.question.slug for q in session.questions.all()] == ["sum-pairs"]
    # Coding: 30 minutes (the question's own estimate, 10, is shorter).
    assert session.deadline - session.started_at == timedelta(minutes=30)
    assert session.questions.get().answer.payload == {"source": question.current_version.spec["starter"]}
    template = session.template
    assert template.title == "Count pairs with a given sum" and template.organization is None and not template.is_active


def test_kinds_get_their_own_time_and_a_longer_estimate_wins(alice, bank):
    choice = services.practice_start_question(candidate=alice, question=Question.objects.get(slug="pick-metric"))
    design = services.practice_start_question(candidate=alice, question=Question.objects.get(slug="design-cache"))
    assert choice.deadline - choice.started_at == timedelta(minutes=5)
    assert design.deadline - design.started_at == timedelta(minutes=30)  # written is 25, its estimate 30


def test_a_second_start_resumes_the_session_in_progress_with_its_answer(alice, bank):
    question = Question.objects.get(slug="pick-metric")
    first = services.practice_start_question(candidate=alice, question=question)
    services.answer_save(session=first, position=1, payload={"selected": ["b"]}, revision=1)
    again = services.practice_start_question(candidate=alice, question=question)
    assert again.id == first.id
    assert Answer.objects.get(session_question__session=first).payload == {"selected": ["b"]}
    assert InterviewTemplate.objects.filter(slug=f"single-question-{question.id}").count() == 1


def test_an_expired_one_is_finished_and_graded_and_a_fresh_one_starts(alice, bank):
    question = Question.objects.get(slug="pick-metric")
    first = services.practice_start_question(candidate=alice, question=question)
    services.answer_save(session=first, position=1, payload={"selected": ["b"]}, revision=1)
    InterviewSession.objects.filter(id=first.id).update(deadline=timezone.now() - timedelta(minutes=1))
    fresh = services.practice_start_question(candidate=alice, question=question)
    first.refresh_from_db()
    assert fresh.id != first.id and fresh.status == "in_progress"
    assert first.status == "finished" and first.finish_reason == "expired" and first.score == 100.0


def test_candidates_each_get_their_own_session_of_the_shared_template(alice, bob, bank):
    question = Question.objects.get(slug="auc-value")
    mine = services.practice_start_question(candidate=alice, question=question)
    theirs = services.practice_start_question(candidate=bob, question=question)
    assert mine.id != theirs.id and mine.template_id == theirs.template_id


def test_private_organization_questions_cannot_be_practised_alone(bob, bank):
    with pytest.raises(NotFoundError):
        services.practice_start_question(candidate=bob, question=Question.objects.get(slug="acme-private-xss"))


def test_the_single_question_template_is_not_listed_nor_startable_by_the_template_api(client_for, alice, bank):
    session = services.practice_start_question(candidate=alice, question=Question.objects.get(slug="auc-value"))
    api = client_for(alice)
    listed = api.get("/api/templates/").json()
    assert session.template_id not in [t["id"] for t in listed]
    assert api.post(f"/api/templates/{session.template_id}/start/").status_code == 404


def test_the_page_post_starts_it_and_refuses_private_and_unknown_questions(alice, bob, bank):
    client = Client()
    client.force_login(alice)
    question = Question.objects.get(slug="auc-value")
    response = client.post(f"/questions/{question.id}/practise/")
    session = InterviewSession.objects.get(candidate=alice)
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.id}/"
    again = client.post(f"/questions/{question.id}/practise/", follow=True)
    assert InterviewSession.objects.filter(candidate=alice).count() == 1
    assert "You already had this question in progress" in again.content.decode()
    assert client.get(f"/questions/{question.id}/practise/").status_code == 405
    private = Question.objects.get(slug="acme-private-xss")
    assert client.post(f"/questions/{private.id}/practise/").status_code == 404
    client.force_login(bob)  # even its own organization's recruiter: private questions are for assessments
    assert client.post(f"/questions/{private.id}/practise/").status_code == 404
    assert client.post("/questions/999999/practise/").status_code == 404


def test_the_page_post_needs_a_csrf_token(alice, bank):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    question = Question.objects.get(slug="auc-value")
    assert client.post(f"/questions/{question.id}/practise/").status_code == 403
    assert not InterviewSession.objects.filter(candidate=alice).exists()


# -- the selectors -----------------------------------------------------------------------


def test_weakest_topics_are_the_lowest_averages_with_their_evidence(alice, bank):
    practise(alice, "pick-metric", WRONG_CHOICE, days_ago=2)  # metrics, class-imbalance: 0
    practise(alice, "auc-value", RIGHT_VALUE, days_ago=1)  # metrics: 100
    weakest = progress.weakest_topics(alice)
    assert [(t.slug, t.average, t.questions, t.answers) for t in weakest] == [
        ("class-imbalance", 0.0, 1, 1),
        ("metrics", 50.0, 2, 2),
    ]
    assert weakest[0].name == "Class imbalance" and weakest[0].tracks == ["ml_fundamentals"]


def test_ungraded_answers_in_progress_sessions_and_assessments_do_not_count(alice, bank):
    practise(alice, "auc-value", RIGHT_VALUE)
    services.practice_start_question(candidate=alice, question=Question.objects.get(slug="pick-metric"))  # in progress
    pending = practise(alice, "design-cache", {"text": "consistent hashing"})  # written: pending the grader
    assert Answer.objects.get(session_question__session=pending).grade_status == "pending"
    assessment = practise(alice, "sum-pairs", {"source": "x"})
    InterviewSession.objects.filter(id=assessment.id).update(mode="assessment")
    Answer.objects.filter(session_question__session=assessment).update(grade_status="graded", score=5.0)
    assert [(a.question_id, a.score) for a in progress.scored_answers(alice)] == [
        (Question.objects.get(slug="auc-value").id, 100.0)
    ]


def test_suggestions_retry_a_weak_topic_then_offer_unseen_public_questions_only(alice, bank):
    practise(alice, "pick-metric", WRONG_CHOICE, days_ago=2)
    practise(alice, "auc-value", RIGHT_VALUE, days_ago=1)
    suggestions = progress.practice_suggestions(alice)
    slugs = [s["question"].slug for s in suggestions]
    # class-imbalance has no unseen question: retry the 0; the 100 on auc-value is not suggested again.
    assert slugs[0] == "pick-metric" and suggestions[0]["kind"] == "retry"
    assert "you scored 0" in suggestions[0]["reason"]
    # Then what alice has not seen, a track she has not practised first each, never Acme's private question.
    assert slugs[1:] == ["sum-pairs", "design-cache"]
    assert all(s["kind"] == "unseen" for s in suggestions[1:])
    assert "you have not practised Python / DSA yet" in suggestions[1]["reason"]
    assert "acme-private-xss" not in slugs and "auc-value" not in slugs


def test_a_weak_topic_suggests_an_unseen_question_on_it_first(alice, bank):
    practise(alice, "auc-value", {"value": 0.1})  # metrics: 0, not yet seen: pick-metric (metrics too)
    suggestions = progress.practice_suggestions(alice)
    assert suggestions[0]["question"].slug == "pick-metric" and suggestions[0]["kind"] == "weak_topic"
    assert "Metrics is one of your weakest topics (average 0)" in suggestions[0]["reason"]


def test_questions_seen_in_an_assessment_are_not_suggested_as_new(alice, bob, bank):
    session = practise(alice, "sum-pairs", {"source": "x"})
    InterviewSession.objects.filter(id=session.id).update(mode="assessment")
    assert "sum-pairs" not in [s["question"].slug for s in progress.practice_suggestions(alice)]


def test_a_recruiter_is_not_offered_their_organizations_private_questions(bob, bank):
    assert "acme-private-xss" not in [s["question"].slug for s in progress.practice_suggestions(bob, limit=10)]


def test_the_timelines_average_each_session_per_track_and_topic(alice, bank):
    practise(alice, "pick-metric", WRONG_CHOICE, days_ago=2)
    practise(alice, "auc-value", RIGHT_VALUE, days_ago=1)
    answers = progress.scored_answers(alice)
    tracks = progress.track_timeline(answers)
    assert tracks["series"] == {"ML fundamentals": [0.0, 100.0]} and len(tracks["labels"]) == 2
    topics = progress.topic_timeline(answers, ["class-imbalance", "metrics"])
    assert topics["series"] == {"Class imbalance": [0.0, None], "Metrics": [0.0, 100.0]}
    assert [row["values"] for row in topics["rows"]] == [[0.0, 0.0], [None, 100.0]]


def test_history_shows_assessments_without_scores(alice, bank):
    practice = practise(alice, "auc-value", RIGHT_VALUE)
    assessment = practise(alice, "pick-metric", WRONG_CHOICE)
    InterviewSession.objects.filter(id=assessment.id).update(mode="assessment")
    rows = {row["session"].id: row for row in progress.session_history(alice)}
    assert rows[practice.id]["score"] == 100.0 and rows[practice.id]["kind"] == "One question"
    assert rows[assessment.id]["status"] == "Submitted" and "score" not in rows[assessment.id]


def test_the_next_step_leads_a_new_candidate_to_a_first_practice_then_continues_then_progress(alice, bank):
    step = progress.next_step(alice)
    assert step["kind"] == "first" and step["question"].organization_id is None
    running = services.practice_start_question(candidate=alice, question=Question.objects.get(slug="auc-value"))
    assert progress.next_step(alice)["kind"] == "continue" and progress.next_step(alice)["session"].id == running.id
    services.answer_save(session=running, position=1, payload=RIGHT_VALUE, revision=1)
    services.session_candidate_finish(session=running)
    step = progress.next_step(alice)
    assert step["kind"] == "progress" and step["suggestion"]["question"].slug != "auc-value"


def test_the_line_chart_is_labelled_escapes_text_and_marks_gaps():
    svg = line_chart_svg(
        ["1 Dec", "2 Dec"], {"<b>Topic</b>": [10.0, None], "Other": [None, 80.0]}, title="Scores & more", ident="t"
    )
    assert (
        'role="img"' in svg
        and 'aria-labelledby="t-title t-desc"' in svg
        and '<title id="t-title">Scores &amp; more</title>' in svg
    )
    assert "&lt;b&gt;Topic&lt;/b&gt;: 10 on 1 Dec." in svg and "<b>" not in svg
    assert "Other, 2 Dec: 80" in svg and "<polyline" not in svg  # one point each: markers, no line
    assert_no_active_content(str(svg))


def test_the_progress_page_shows_everything_and_escapes_titles(client, alice, bank):
    practise(alice, "pick-metric", WRONG_CHOICE, days_ago=2)
    practise(alice, "auc-value", RIGHT_VALUE, days_ago=1)
    client.force_login(alice)
    page = client.get("/progress/").content.decode()
    assert 'id="track-chart-title"' in page and 'id="topic-chart-title"' in page
    assert "Class imbalance" in page and "from 1 question" in page and "Try again: you scored 0" in page
    assert "Count pairs with a given sum" in page  # an unseen suggestion
    weakest_only = client.get("/progress/?topics=weakest").content.decode()
    assert '<option value="weakest" selected>' in weakest_only
    assert client.get("/progress/?topics=%3Cscript%3E").status_code == 200


def test_the_progress_page_of_a_new_candidate_is_an_invitation(client, alice, bank):
    client.force_login(alice)
    page = client.get("/progress/").content.decode()
    assert 'id="progress-empty"' in page and "Start your first practice interview" in page
    assert "<svg" not in page
    assert client.get("/progress/").status_code == 200


def test_the_progress_page_needs_sign_in(client, db):
    response = client.get("/progress/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_progress_page_shows_assessments_without_any_score_and_escapes_titles(client, alice, bank):
    hostile = InterviewTemplate.objects.create(slug="evil", title='<script>alert("t")</script> Loop', total_minutes=10)
    section = hostile.sections.create(position=1, title="<img src=x onerror=alert(1)>")
    section.questions.add(Question.objects.get(slug="auc-value"))
    session = services.practice_start(candidate=alice, template=hostile)
    services.answer_save(session=session, position=1, payload=RIGHT_VALUE, revision=1)
    services.session_candidate_finish(session=session)
    assessment = practise(alice, "pick-metric", {"selected": ["b"]})
    InterviewSession.objects.filter(id=assessment.id).update(mode="assessment", score=42.42)
    client.force_login(alice)
    page = client.get("/progress/").content.decode()
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; Loop" in page
    assert_no_active_content(page)
    assert "42.42" not in page and "Submitted" in page
    # The assessment's (right) answer counts nowhere: only the practice's metrics score does.
    assert [(t.slug, t.average) for t in progress.weakest_topics(alice)] == [("metrics", 100.0)]
