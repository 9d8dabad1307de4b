"""The PDF's pagination: no page holds a lone small card, the integrity section is not split,
no heading ends a page. Measured from the PDF itself (pypdf's text per page)."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from interview.models import IntegrityEvent
from review.report_pdf import report_pdf_bytes
from tests.conftest import PASSWORD
from tests.review.reporting import SOLUTION, graded_assessment, report_template

# Long enough to run over a page: the coding card must break, not leave a near-empty page.
LONG_CODE = SOLUTION + "".join(f"\n# step {i}: keep a running count of complements seen so far, then add them" for i in range(90))
# A page other than the last one carrying less than this much text is "near-empty".
MIN_CHARS = 400


@pytest.fixture
def pages(bank, bob, alice, django_user_model, django_capture_on_commit_callbacks):
    template = report_template()
    other = django_user_model.objects.create_user("omar@example.test", PASSWORD, name="Omar Other")
    capture = django_capture_on_commit_callbacks
    graded_assessment(bob, other, template, capture=capture)
    session = graded_assessment(bob, alice, template, code=LONG_CODE, capture=capture)
    start = session.started_at
    # Pastes on two questions: the integrity section gets its table of pastes.
    for position, minute in ((1, 2), (3, 9)):
        IntegrityEvent.objects.create(
            session=session, position=position, kind="paste", chars=180, at=start + timedelta(minutes=minute)
        )
    pdf = report_pdf_bytes(session)
    if os.environ.get("REPORT_PDF_OUT"):  # to look at it: pdftoppm -png -r 50 $REPORT_PDF_OUT page
        Path(os.environ["REPORT_PDF_OUT"]).write_bytes(pdf)
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_no_page_but_the_last_is_near_empty(pages):
    assert len(pages) >= 2
    lengths = [len("".join(text.split())) for text in pages]
    assert all(n >= MIN_CHARS for n in lengths[:-1]), lengths


def test_the_integrity_heading_and_its_table_share_a_page(pages):
    (page,) = [text for text in pages if "Integrity signals" in text]
    assert "Pasted in all" in page and "Recorded in the interview page" in page


def test_no_page_ends_with_a_question_heading(pages):
    for text in pages[:-1]:
        last_lines = [line for line in text.strip().splitlines() if line.strip()][-2:]
        assert not any(line.strip()[:2] in ("1.", "2.", "3.") and "/ 100" in line for line in last_lines), last_lines
