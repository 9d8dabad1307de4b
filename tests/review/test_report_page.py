"""The report page and its PDF: charts, evidence, overrides, and who may see them."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from grading.models import AnswerGrade
from interview import services
from interview.models import InterviewSession
from review.charts import cohort_histogram_svg, section_scores_svg
from review.cohorts import Cohort, percentile_rank
from tests.conftest import PASSWORD, assert_no_active_content, error_code
from tests.review.reporting import graded_assessment, report_template

WRONG = "def count_pairs(nums, target):\n    return 0\n"


@pytest.fixture
def template(bank):
    return report_template()


@pytest.fixture
def cohort(template, bob, alice, django_user_model, django_capture_on_commit_callbacks):
    """Alice aces it; two others do worse. Returns Alice's session.

    The scores follow from these inputs by hand (coding, multiple choice, design; each 0-100):
    WRONG returns 0, so it passes one of sum-pairs' three equally weighted tests (the empty
    list): 33.33. The right option "b" is 100, "a" is 0. DESIGN makes both key points of both
    criteria (level 4 of 4): 100; "I would use a cache." makes none: 0.
    """
    capture = django_capture_on_commit_callbacks
    weak = django_user_model.objects.create_user("weak@example.test", PASSWORD, name="Weak Candidate")
    graded_assessment(bob, weak, template, code=WRONG, text="I would use a cache.", choice="a", capture=capture)
    middle = django_user_model.objects.create_user("mid@example.test", PASSWORD, name="Mid Candidate")
    graded_assessment(bob, middle, template, code=WRONG, capture=capture)
    return graded_assessment(bob, alice, template, capture=capture)


def test_percentile_counts_ties_as_half_and_charts_escape_their_labels():
    assert percentile_rank([10, 20, 30, 40], 30) == 62.5
    assert percentile_rank([50, 50], 50) == 50.0 and percentile_rank([], 10) == 0.0
    svg = section_scores_svg({"<script>alert(1)</script>": 80.0, "Design": None})
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "not graded yet" in svg
    histogram = cohort_histogram_svg(Cohort(scores=[5.0, 55.0, 58.0, 95.0], score=55.0))
    assert "percentile 37.5" in histogram and "(n=4)" in histogram
    # The candidate's band (50-60) is highlighted and holds both scores in it.
    assert histogram.count('fill="#2b6cb0"') == 1 and "50 to 60: 2" in histogram


def test_the_report_page_shows_scores_charts_code_tests_and_evidence(client, bob, cohort):
    session = cohort
    client.force_login(bob)
    response = client.get(f"/reports/{session.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice" in html and '<strong id="report-score">100.0</strong> / 100' in html
    # The cohort scores 11.11, 77.78 and 100 (see `cohort`): Alice is top, (2 below + 1/2) / 3
    # = 83.3; the median of three is the middle one.
    assert "percentile <strong>83.3</strong> of 3 (cohort median 77.78)" in html
    # Charts: sections with bars, the cohort of three with this candidate's percentile.
    assert 'id="chart-sections"' in html and "Coding" in html and "Theory and design" in html
    assert "Cohort distribution (n=3): this candidate 100, percentile 83.3" in html
    # One candidate in each of the bands 10-20, 70-80 and 90-100, none elsewhere.
    bands = {f"{low} to {low + 10}: {1 if low in (10, 70, 90) else 0}" for low in range(0, 100, 10)}
    assert all(f"<title>{band}</title>" in html for band in bands), bands
    # Code highlighted, every test including the hidden ones, runtime and memory.
    assert 'class="code-hl"' in html and '<span class="kn">from</span>' in html
    assert ">hidden<" in html and ">visible<" in html and " MB" in html
    # Multiple choice correctness and the rubric with evidence marked in the answer.
    assert "correct</span>" in html
    assert '<mark data-criteria="partitioning" title="partitioning">Keys are spread with consistent hashing' in html
    assert '<mark data-criteria="eviction" title="eviction">Each node keeps an LRU eviction' in html
    assert "local key-point matcher, provisional" in html


def test_a_recruiter_overrides_a_level_from_the_report_and_the_score_follows(client, bob, cohort):
    session = cohort
    grade = AnswerGrade.objects.get(answer__session_question__session=session)
    before = session.score
    client.force_login(bob)
    url = f"/reports/{session.id}/grades/{grade.id}/override/"
    refused = client.post(url, {"criterion": "eviction", "level": "0", "comment": ""}, follow=True)
    assert "Not saved: say why you changed the level" in refused.content.decode()
    response = client.post(url, {"criterion": "eviction", "level": "0", "comment": "No TTL discussion really"}, follow=True)
    assert response.status_code == 200 and "Level saved" in response.content.decode()
    session.refresh_from_db()
    assert session.score < before
    html = response.content.decode()
    assert "No TTL discussion really" in html and ">human<" in html


def test_the_pdf_is_a_real_pdf_with_the_name_the_charts_and_the_evidence(client, bob, cohort, client_for):
    session = cohort
    client.force_login(bob)
    response = client.get(f"/reports/{session.id}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"] and "alice" in response["Content-Disposition"].lower()
    assert response.content.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "alice@example.test" in text
    assert "Section scores" in text and "Cohort distribution (n=3)" in text  # the SVG charts, drawn
    assert "consistent hashing and virtual nodes" in text
    api = client_for(bob).get(f"/api/reports/{session.id}/pdf/")
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")


def test_the_json_report_carries_the_cohort_and_rubric_names(client_for, bob, cohort):
    report = client_for(bob).get(f"/api/reports/{cohort.id}/").json()
    # Each session's score is the mean of its three questions' (see `cohort`), to 2 places.
    scores = dict(
        InterviewSession.objects.filter(template=cohort.template, status="finished").values_list("candidate__email", "score")
    )
    assert scores == {
        "weak@example.test": 11.11,  # (33.33 + 0 + 0) / 3
        "mid@example.test": 77.78,  # (33.33 + 100 + 100) / 3 = 77.7766...
        "alice@example.test": 100.0,
    }
    # The median of three is the middle score; Alice is top: (2 below + 1/2 for her own tie) / 3.
    assert report["cohort"] == {"size": 3, "median": 77.78, "percentile": 83.3}
    (written,) = [q for q in report["questions"] if q["kind"] == "free_text"]
    assert [c["name"] for c in written["rubric"]["criteria"]] == ["Partitioning", "Eviction"]
    assert written["rubric"]["criteria"][0]["effective_level"] == written["rubric"]["criteria"][0]["level"]


def test_another_organization_and_candidates_get_404_everywhere(client, client_for, cohort, dave, alice):
    session = cohort
    grade = AnswerGrade.objects.get(answer__session_question__session=session)
    for user in (dave, alice):
        client.force_login(user)
        for url in (f"/reports/{session.id}/", f"/reports/{session.id}/pdf/"):
            assert client.get(url).status_code == 404, (user, url)
        post = client.post(
            f"/reports/{session.id}/grades/{grade.id}/override/", {"criterion": "eviction", "level": 0, "comment": "x"}
        )
        assert post.status_code == 404
        for url in (f"/api/reports/{session.id}/", f"/api/reports/{session.id}/pdf/"):
            response = client_for(user).get(url)
            assert response.status_code == 404 and error_code(response) == "not_found"
    assert not grade.overrides.exists()
    client.logout()
    assert client.get(f"/reports/{session.id}/").status_code == 302  # to the sign-in page


def test_an_unfinished_interview_has_a_clear_page_not_a_report(client, bob, alice, template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=alice.email)
    session = services.assessment_start(token=token, candidate=alice)
    client.force_login(bob)
    for url in (f"/reports/{session.id}/", f"/reports/{session.id}/pdf/"):
        response = client.get(url)
        assert response.status_code == 409 and "interview in progress" in response.content.decode()


def test_hostile_names_and_answers_are_escaped_in_the_page_and_the_pdf(
    client, bob, template, django_user_model, django_capture_on_commit_callbacks
):
    hostile = django_user_model.objects.create_user("mallory@example.test", PASSWORD, name='<script>alert("name")</script>')
    text = '<img src=x onerror=alert(1)> <a href="javascript:alert(2)">click</a> consistent hashing'
    code = "# <script>alert('code')</script>\n" + WRONG
    session = graded_assessment(bob, hostile, template, code=code, text=text, capture=django_capture_on_commit_callbacks)
    client.force_login(bob)
    html = client.get(f"/reports/{session.id}/").content.decode()
    assert_no_active_content(html)
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html
    pdf = client.get(f"/reports/{session.id}/pdf/")
    text_in_pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert '<script>alert("name")</script>' in text_in_pdf  # shown as text, not run or dropped
