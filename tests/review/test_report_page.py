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
    list): 33.33. The right option "b" is 100, "a" is 0. The design answers' scores follow
    from the levels the local grader stored (``_design``).
    """
    capture = django_capture_on_commit_callbacks
    weak = django_user_model.objects.create_user("weak@example.test", PASSWORD, name="Weak Candidate")
    graded_assessment(bob, weak, template, code=WRONG, text="I would use a cache.", choice="a", capture=capture)
    middle = django_user_model.objects.create_user("mid@example.test", PASSWORD, name="Mid Candidate")
    graded_assessment(bob, middle, template, code=WRONG, capture=capture)
    return graded_assessment(bob, alice, template, capture=capture)


def _design(email: str) -> float:
    """The written answer's score from its stored levels, by the rubric's weights (2 and 1)."""
    grade = AnswerGrade.objects.get(answer__session_question__session__candidate__email=email)
    levels = {c["id"]: c["level"] for c in grade.criteria}
    return round(100 * (2 * levels["partitioning"] + levels["eviction"]) / 12, 2)


def _expected_scores() -> dict[str, float]:
    """Each session's score: the mean of coding, multiple choice and design, to 2 places."""
    return {
        "weak@example.test": round((33.33 + 0 + _design("weak@example.test")) / 3, 2),
        "mid@example.test": round((33.33 + 100 + _design("mid@example.test")) / 3, 2),
        "alice@example.test": round((100 + 100 + _design("alice@example.test")) / 3, 2),
    }


def test_percentile_counts_ties_as_half_and_charts_escape_their_labels():
    assert percentile_rank([10, 20, 30, 40], 30) == 62.5
    assert percentile_rank([50, 50], 50) == 50.0 and percentile_rank([], 10) == 0.0
    svg = section_scores_svg({"<script>alert(1)</script>": 80.0, "Design": None})
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "not graded yet" in svg
    histogram = cohort_histogram_svg(Cohort(scores=[5.0, 55.0, 58.0, 95.0], score=55.0))
    assert "better than 37%" in histogram and "(n=4)" in histogram
    # The candidate's band (50-60) is highlighted and holds both scores in it.
    assert histogram.count('fill="#2b6cb0"') == 1 and "50 to 60: 2" in histogram


def test_the_report_page_shows_scores_charts_code_tests_and_evidence(client, bob, cohort):
    session = cohort
    client.force_login(bob)
    response = client.get(f"/reports/{session.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    scores = _expected_scores()
    alice, mid, weak = scores["alice@example.test"], scores["mid@example.test"], scores["weak@example.test"]
    assert alice > mid > weak  # the ranking the percentile below rests on
    assert "Alice" in html and f'<strong id="report-score">{alice}</strong> / 100' in html
    # Alice is top of three, (2 below + 1/2) / 3 = 83.3; the median of three is the middle one.
    assert f"better than 83% of 3 candidates on this template (cohort median {mid})" in html
    # Charts: sections with bars, the cohort of three with this candidate's percentile.
    assert 'id="chart-sections"' in html and "Coding" in html and "Theory and design" in html
    assert f"Cohort distribution (n=3): this candidate {alice:g}, better than 83%" in html
    # One candidate in each of the three scores' bands of ten, none elsewhere.
    lows = {min(int(score // 10) * 10, 90) for score in scores.values()}
    assert len(lows) == 3
    bands = {f"{low} to {low + 10}: {1 if low in lows else 0}" for low in range(0, 100, 10)}
    assert all(f"<title>{band}</title>" in html for band in bands), bands
    # Code highlighted, every test including the hidden ones, runtime and memory.
    assert 'class="code-hl"' in html and '<span class="kn">from</span>' in html
    assert ">hidden<" in html and ">visible<" in html and " MB" in html
    # Multiple choice correctness and the rubric with evidence marked in the answer.
    assert "correct</span>" in html
    assert '<mark data-criteria="partitioning" title="partitioning">Keys are spread with consistent hashing' in html
    assert '<mark data-criteria="eviction" title="eviction">Each node keeps an LRU eviction' in html
    assert "Grader: local grader (provisional, confidence" in html


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
    assert scores == _expected_scores()
    # The median of three is the middle score; Alice is top: (2 below + 1/2 for her own tie) / 3.
    assert report["cohort"] == {"size": 3, "median": scores["mid@example.test"], "percentile": 83.3}
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
    # The page's own script (static/js/report.js, focus on landing) is the one allowed.
    own_script = '<script src="/static/js/report.js" defer></script>'
    assert html.count(own_script) == 1
    assert_no_active_content(html.replace(own_script, ""))
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html
    pdf = client.get(f"/reports/{session.id}/pdf/")
    text_in_pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert '<script>alert("name")</script>' in text_in_pdf  # shown as text, not run or dropped
