"""A coding test's optional ``category``: checked at import, kept in the spec only when set
(so questions without one keep their content hash), used to group hidden tests."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from questions.bank_format import TestSpec, load_bank
from tests.conftest import DATA


def test_it_keeps_a_category_and_leaves_it_out_when_there_is_none():
    bundle = next(b for b in load_bank(DATA / "bank") if b.slug == "sum-pairs")
    tests = {t["name"]: t for t in bundle.spec()["tests"]}
    assert tests["SECRET-hidden-empty"]["category"] == "edge cases"
    assert tests["SECRET-hidden-duplicates"]["category"] == "repeated values"
    assert "category" not in tests["example"]


@pytest.mark.parametrize("category", ["", "two\nlines", "x" * 41])
def test_it_refuses_an_empty_multi_line_or_long_category(category):
    with pytest.raises(ValidationError, match="category"):
        TestSpec(name="t", args=[1], expected=1, category=category)


def test_a_category_is_trimmed():
    assert TestSpec(name="t", args=[1], expected=1, category="  edge cases ").category == "edge cases"
