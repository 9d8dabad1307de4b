"""Issue 16's report fixes: a second chart that is not the first again, the cohort in words,
human verdicts, "grading…" while grading, a title clear of its chart, and the override's
confirmation beside the question it changed."""

from __future__ import annotations

import re

import pytest

from config.charts import PLOT_TOP, TITLE_BASELINE, line_chart_svg
from grading.models import AnswerGrade
from questions.names import topic_name
from review.charts import cohort_histogram_svg, section_scores_svg
from review.cohorts import Cohort
from review.report_presenters import cohort_standing
from review.reports import session_report
from tests.conftest import PASSWORD
from tests.review.reporting import graded_assessment, report_template

WRONG = "def count_pairs(nums, target):\n    return 0\n"
# What another helper's export reads from session_report(): these keys stay.
REPORT_KEYS = {
    "session", "candidate", "template", "mode", "status", "started_at", "finished_at", "finish_reason",
    "minutes_used", "score", "cohort", "sections", "tracks", "strengths", "weaknesses", "questions", "integrity",
}  # fmt: skip


@pytest.fixture
def template(bank):
    return report_template()


@pytest.fixture
def pair(template, bob, alice, django_user_model, django_capture_on_commit_callbacks):
    """Alice and a weaker candidate; returns Alice's session."""
    weak = django_user_model.objects.create_user("weak@example.test", PASSWORD, name="Weak Candidate")
    graded_assessment(bob, weak, template, code=WRONG, choice="a", capture=django_capture_on_commit_callbacks)
    return graded_assessment(bob, alice, template, code=WRONG, capture=django_capture_on_commit_callbacks)


def _texts(svg: str) -> list[tuple[float, str]]:
    return [(float(y), text) for y, text in re.findall(r'<text x="[^"]*" y="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


def test_the_cohort_reads_as_words_singular_and_plural():
    assert cohort_standing(Cohort(scores=[10, 20, 30, 40], score=30)) == "better than 62% of 4 candidates on this template"
    assert "nothing to compare with yet" in cohort_standing(Cohort(scores=[55.0], score=55.0))
    assert cohort_standing(Cohort(scores=[], score=None)) == ""
    assert "ranked once this score is final" in cohort_standing(Cohort(scores=[1.0, 2.0], score=None))


def test_no_chart_text_runs_into_the_title():
    # A cohort whose tallest band is this candidate's: its count label sits highest.
    histogram = cohort_histogram_svg(Cohort(scores=[55.0, 56.0, 57.0, 95.0], score=55.0))
    title, *rest = _texts(histogram)
    assert title[0] == TITLE_BASELINE and "better than" in title[1] and "percentile" not in title[1]
    # A 12 px label's top is 12 px above its baseline; it must start below the title's line.
    assert min(y for y, _ in rest) - 12 >= TITLE_BASELINE + 4, rest
    bars = [float(y) for y in re.findall(r'<rect x="[^"]*" y="([\d.]+)"', histogram)]
    assert min(bars) >= PLOT_TOP
    for svg in (
        section_scores_svg({"Coding": 100.0, "Design": 20.0}),
        line_chart_svg(["a", "b"], {"Coding": [10.0, 90.0]}, title="Progress", ident="p"),  # the candidate's chart
    ):
        title, *rest = _texts(svg)
        assert title[0] == TITLE_BASELINE and min(y for y, _ in rest) - 12 >= TITLE_BASELINE + 4, rest


def test_the_second_chart_is_by_topic_never_a_copy_of_the_sections(client, bob, pair):
    report = session_report(pair)
    assert REPORT_KEYS <= set(report)  # keys only added, none renamed
    assert report["topic_scores"] and all(0 <= s <= 100 for s in report["topic_scores"].values())
    client.force_login(bob)
    html = client.get(f"/reports/{pair.id}/").content.decode()
    assert "Scores by track" not in html and 'id="chart-topics"' in html and "Scores by topic" in html
    topic = next(iter(report["topic_scores"]))
    assert topic_name(topic) in html.split('id="chart-topics"')[1].split("</figure>")[0]


def test_the_header_says_where_the_candidate_stands_and_verdicts_are_words(client, bob, pair):
    client.force_login(bob)
    html = client.get(f"/reports/{pair.id}/").content.decode()
    assert "better than 75% of 2 candidates on this template" in html and "percentile" not in html
    assert "Wrong answer" in html and ">wrong_answer<" not in html
    assert ">Passed<" in html and ">accepted<" not in html
    assert "needs_review" not in re.sub(r'class="[^"]*"', "", html) and "status graded" not in html


def test_a_cohort_of_one_has_nothing_to_compare(client, bob, alice, template, django_capture_on_commit_callbacks):
    session = graded_assessment(bob, alice, template, capture=django_capture_on_commit_callbacks)
    client.force_login(bob)
    html = client.get(f"/reports/{session.id}/").content.decode()
    assert "the only candidate on this template so far: nothing to compare with yet" in html


def test_pending_answers_say_grading_not_zero_tests(client, bob, alice, template, django_capture_on_commit_callbacks):
    # Finished, but no worker ran the code or the grader: every answer is still being graded.
    session = graded_assessment(bob, alice, template, grade=False, capture=django_capture_on_commit_callbacks)
    client.force_login(bob)
    html = client.get(f"/reports/{session.id}/").content.decode()
    assert "0 of 0 tests passed" not in html and "0.0 MB" not in html
    coding = html.split('data-kind="coding"')[1].split("</section>")[0]
    assert "grading…" in coding
    written = html.split('data-kind="free_text"')[1].split("</section>")[0]
    assert "grading…" in written and "(pending)" not in written


def test_the_override_confirmation_is_in_the_questions_card(client, bob, pair):
    grade = AnswerGrade.objects.get(answer__session_question__session=pair)
    position = grade.answer.session_question.position
    client.force_login(bob)
    url = f"/reports/{pair.id}/grades/{grade.id}/override/"
    response = client.post(url, {"criterion": "eviction", "level": "1", "comment": "Only names a TTL"})
    assert response.status_code == 302 and response["Location"] == f"/reports/{pair.id}/#question-{position}"
    html = client.get(response["Location"]).content.decode()
    assert 'class="messages"' not in html  # nothing at the top of the page
    card = html.split(f'id="q{position}"')[1].split("</section>")[0]
    assert 'class="override-status" id="override-status" role="status" tabindex="-1"' in card
    assert "Level saved: Eviction now counts 1 / 4" in card
    # Shown once: a reload is the plain report.
    assert "Level saved" not in client.get(f"/reports/{pair.id}/").content.decode()


def test_a_refused_override_is_400_with_the_reason_beside_the_field(client, bob, pair):
    grade = AnswerGrade.objects.get(answer__session_question__session=pair)
    client.force_login(bob)
    url = f"/reports/{pair.id}/grades/{grade.id}/override/"
    response = client.post(url, {"criterion": "eviction", "level": "3", "comment": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    row = html.split('data-criterion="eviction"')[1].split("</tr>")[0]
    assert "Not saved: say why you changed the level." in row and 'aria-invalid="true"' in row
    assert '<option value="3" selected>' in row  # the level chosen is kept
    assert not grade.overrides.exists()
