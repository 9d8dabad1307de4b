"""Recruiters' reports: contents, similarity flags, and who may see them."""

from __future__ import annotations

import pytest

from interview import services
from interview.models import Answer, InterviewTemplate, TemplateSection
from questions.models import Question
from review.models import SimilarityFlag
from review.similarity_services import answer_similarity_check
from tests.conftest import PASSWORD, error_code

CODE = "from collections import Counter\n\ndef count_pairs(nums, target):\n    seen = Counter()\n    total = 0\n    for value in nums:\n        total += seen[target - value]\n        seen[value] += 1\n    return total\n"
COPIED = "from collections import Counter\n\ndef count_pairs(a, t):\n    s = Counter()\n    n = 0\n    for v in a:\n        n += s[t - v]\n        s[v] += 1\n    return n\n"


@pytest.fixture
def template(bank) -> InterviewTemplate:
    template = InterviewTemplate.objects.create(slug="mini", title="Mini", total_minutes=30)
    section = TemplateSection.objects.create(template=template, position=1, title="All")
    for slug in ("sum-pairs", "pick-metric"):
        section.questions.add(Question.objects.get(slug=slug))
    return template


def _assessment(bob, candidate, template, code, capture):
    with capture():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=candidate.email)
    session = services.assessment_start(token=token, candidate=candidate)
    services.answer_save(session=session, position=1, payload={"source": code}, revision=1)
    services.answer_save(session=session, position=2, payload={"selected": ["b"]}, revision=1)
    with capture():
        services.session_finish(session_id=session.id, reason="candidate")
    return session


def test_a_report_shows_scores_answers_and_similarity_for_the_organization_only(
    client_for, bob, dave, alice, template, django_capture_on_commit_callbacks, django_user_model
):
    first = _assessment(bob, alice, template, CODE, django_capture_on_commit_callbacks)
    other = django_user_model.objects.create_user("copycat@example.test", PASSWORD)
    second = _assessment(bob, other, template, COPIED, django_capture_on_commit_callbacks)
    copied_answer = Answer.objects.get(session_question__session=second, session_question__position=1)
    Answer.objects.filter(id=copied_answer.id).update(score=80.0, grade_status="graded")
    flags = answer_similarity_check(answer_id=copied_answer.id)
    assert len(flags) == 1 and flags[0].similarity >= 0.6 and flags[0].kind == "code"
    assert answer_similarity_check(answer_id=copied_answer.id) == []  # flagged once per pair
    mc = Answer.objects.get(session_question__session=second, session_question__position=2)
    assert answer_similarity_check(answer_id=mc.id) == []

    report = client_for(bob).get(f"/api/reports/{first.id}/").json()
    assert report["candidate"]["email"] == "alice@example.test" and report["mode"] == "assessment"
    assert [q["kind"] for q in report["questions"]] == ["coding", "multiple_choice"]
    assert report["questions"][1]["score"] == 100.0 and report["questions"][0]["answer"]["source"] == CODE
    flag = report["integrity"]["similarity_flags"][0]
    assert flag["other_candidate"] == "copycat@example.test" and flag["regions"]
    # Flags inform; they never change a score.
    assert Answer.objects.get(id=copied_answer.id).score == 80.0 and SimilarityFlag.objects.count() == 1

    for user in (dave, alice):
        response = client_for(user).get(f"/api/reports/{first.id}/")
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_an_unfinished_interview_has_no_report_yet(client_for, bob, alice, template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    session = services.assessment_start(token=token, candidate=alice)
    response = client_for(bob).get(f"/api/reports/{session.id}/")
    assert response.status_code == 409 and error_code(response) == "session_in_progress"


def test_a_cohort_exports_as_csv_for_its_organization_only(
    client_for, bob, dave, alice, template, django_capture_on_commit_callbacks, django_user_model
):
    import csv
    import io

    empty = client_for(bob).get(f"/api/cohorts/{template.id}/csv/")
    assert empty.status_code == 404 and error_code(empty) == "empty_cohort"
    _assessment(bob, alice, template, CODE, django_capture_on_commit_callbacks)
    hostile = django_user_model.objects.create_user("eve@example.test", PASSWORD, name='=HYPERLINK("http://x")')
    _assessment(bob, hostile, template, COPIED, django_capture_on_commit_callbacks)
    response = client_for(bob).get(f"/api/cohorts/{template.id}/csv/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["session", "candidate_email", "candidate_name"]
    assert [r[1] for r in rows[1:]] == ["alice@example.test", "eve@example.test"]
    assert rows[2][2].startswith("'=")  # no formula injection into spreadsheets
    assert client_for(dave).get(f"/api/cohorts/{template.id}/csv/").status_code == 404
    assert client_for(alice).get(f"/api/cohorts/{template.id}/csv/").status_code == 403
