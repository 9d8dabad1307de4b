"""Property tests of answer payloads (``interview.services.answers._validate_payload``), for
every question kind: coding, multiple choice, numeric and free text.

- Whatever JSON comes in (any shape, lone surrogates, NUL, huge numbers, NaN), the
  answer is either accepted in its clean form or refused with the project's
  ApplicationError (a 400 or 413 with a code): never another exception, which the
  API would answer with a 500.
- A valid answer comes back clean: only its kind's field, normalized (choices sorted
  and unique, numbers as floats), storable as strict JSON, and the same when checked
  again.

The questions are the test bank's, one of each kind.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.errors import ApplicationError
from interview.services.answers import MAX_CODE_BYTES, MAX_TEXT_CHARS, _validate_payload
from questions.bank_format import Kind
from questions.models import Question, QuestionVersion

FIELD = {Kind.CODING: "source", Kind.MULTIPLE_CHOICE: "selected", Kind.NUMERIC: "value", Kind.FREE_TEXT: "text"}
SLUGS = {Kind.CODING: "sum-pairs", Kind.MULTIPLE_CHOICE: "pick-metric", Kind.NUMERIC: "auc-value", Kind.FREE_TEXT: "design-cache"}

# Derandomized: the same examples on every run. The database is only read: the same
# questions serve every example.
PROPERTY_SETTINGS = settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Any text JSON can carry, the characters nothing can store included.
any_text = st.text(st.characters() | st.characters(categories=["Cs"]) | st.sampled_from("\x00\x0b\ufffe"), max_size=20)
# Integers past 64 bits, and past what a float can hold.
huge_integers = st.integers(min_value=2**63) | st.integers(min_value=2**1024) | st.integers(max_value=-(2**1024))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | huge_integers | st.floats() | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=16,
)
# Objects with the fields answers have, holding anything, beside anything at all.
payloads = json_values | st.dictionaries(st.sampled_from(sorted(FIELD.values())) | any_text, json_values, max_size=4)
# Text a person writes: no control characters but tab, line feed and carriage return.
storable_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Cn"]) | st.sampled_from("\t\n\r"))


@pytest.fixture
def versions(bank) -> dict[str, QuestionVersion]:
    return {kind: Question.objects.get(slug=slug).current_version for kind, slug in SLUGS.items()}


def _assert_clean(kind: str, version: QuestionVersion, clean: object) -> None:
    assert isinstance(clean, dict) and set(clean) == {FIELD[kind]}
    json.dumps(clean, allow_nan=False)  # stored as JSON, with no NaN or Infinity
    assert _validate_payload(kind, version, clean) == clean


@PROPERTY_SETTINGS
@given(kind=st.sampled_from(sorted(FIELD)), payload=payloads)
def test_it_refuses_bad_answers_only_with_an_application_error(versions, kind, payload):
    try:
        clean = _validate_payload(kind, versions[kind], payload)
    except ApplicationError as error:
        assert error.status_code in (400, 413) and error.code and error.message
    else:
        _assert_clean(kind, versions[kind], clean)


@PROPERTY_SETTINGS
@given(kind=st.sampled_from(sorted(FIELD)), value=json_values)
def test_it_refuses_a_bad_value_of_the_right_field_only_with_an_application_error(versions, kind, value):
    try:
        clean = _validate_payload(kind, versions[kind], {FIELD[kind]: value})
    except ApplicationError as error:
        assert error.status_code in (400, 413) and error.code and error.message
    else:
        _assert_clean(kind, versions[kind], clean)


@PROPERTY_SETTINGS
@given(source=storable_text, extra=st.dictionaries(any_text, json_values, max_size=2))
def test_it_keeps_code_as_written(versions, source, extra):
    clean = _validate_payload(Kind.CODING, versions[Kind.CODING], {**extra, "source": source})
    assert clean == {"source": source}
    _assert_clean(Kind.CODING, versions[Kind.CODING], clean)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_it_sorts_and_dedupes_the_chosen_options(versions, data):
    version = versions[Kind.MULTIPLE_CHOICE]
    options = [option["id"] for option in version.spec["options"]]
    most = len(options) if version.spec["multiple"] else 1
    chosen = data.draw(st.lists(st.sampled_from(options), max_size=most))
    clean = _validate_payload(Kind.MULTIPLE_CHOICE, version, {"selected": chosen})
    assert clean == {"selected": sorted(set(chosen))}
    _assert_clean(Kind.MULTIPLE_CHOICE, version, clean)


@PROPERTY_SETTINGS
@given(
    value=st.none()
    | st.just("")
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(allow_nan=False, allow_infinity=False).map(repr)
)
def test_it_takes_numbers_as_floats_and_nothing_as_none(versions, value):
    clean = _validate_payload(Kind.NUMERIC, versions[Kind.NUMERIC], {"value": value})
    expected = None if value in (None, "") else float(value)
    assert clean == {"value": expected}
    assert expected is None or math.isfinite(clean["value"])
    _assert_clean(Kind.NUMERIC, versions[Kind.NUMERIC], clean)


@PROPERTY_SETTINGS
@given(text=storable_text)
def test_it_keeps_written_answers_as_written(versions, text):
    clean = _validate_payload(Kind.FREE_TEXT, versions[Kind.FREE_TEXT], {"text": text})
    assert clean == {"text": text}
    _assert_clean(Kind.FREE_TEXT, versions[Kind.FREE_TEXT], clean)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from([Kind.CODING, Kind.FREE_TEXT]), extra=st.integers(min_value=-2, max_value=2))
def test_the_size_limits_hold_to_the_character(versions, kind, extra):
    # Code is limited in UTF-8 bytes, written answers in characters: "é" is 2 bytes, 1 character.
    size = (MAX_CODE_BYTES // 2 if kind == Kind.CODING else MAX_TEXT_CHARS) + extra
    payload = {FIELD[kind]: "é" * size}
    if extra > 0:
        with pytest.raises(ApplicationError) as refused:
            _validate_payload(kind, versions[kind], payload)
        assert refused.value.status_code == 413 and refused.value.code == "answer_too_large"
    else:
        assert _validate_payload(kind, versions[kind], payload) == payload
