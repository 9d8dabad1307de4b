"""The bank page: human names, difficulty order, a search that starts afresh, topics by track."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from accounts.models import Organization
from questions import selectors
from questions.models import Question
from questions.names import topic_name
from questions.services import bank_import
from tests.conftest import DATA

RAW = ("python_dsa", "ml_fundamentals", "system_design", "multiple_choice", "free_text")


class _Text(HTMLParser):
    """What a reader sees: text outside tags, scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def titles(html: str) -> list[str]:
    return re.findall(r'<td class="bank-title"><a href="/questions/\d+/">([^<]+)</a>', html)


@pytest.fixture
def signed_in(client, alice, bank):
    client.force_login(alice)
    return client


def test_the_list_and_detail_show_human_names(signed_in):
    text = visible_text(signed_in.get("/questions/").content.decode())
    for name in ("Python / DSA", "ML fundamentals", "System design", "Coding", "Multiple choice", "Numeric", "Written"):
        assert name in text
    assert "Class imbalance" in text and "Easy" in text and "Medium" in text and "Hard" in text
    assert not [raw for raw in RAW if raw in text]
    question = Question.objects.get(slug="pick-metric")
    detail = visible_text(signed_in.get(f"/questions/{question.id}/").content.decode())
    assert "ML fundamentals" in detail and "Multiple choice" in detail and "Practise this question · 5 min" in detail
    assert not [raw for raw in RAW if raw in detail]


def test_difficulty_sorts_easy_medium_hard_not_alphabetically(signed_in):
    easiest = titles(signed_in.get("/questions/?sort=easiest").content.decode())
    assert easiest == [
        "Count pairs with a given sum",  # easy, Python / DSA first among the easy ones
        "Pick a metric for rare positives",  # easy
        "AUC of a tiny ranking",  # medium
        "Design a distributed cache",  # hard
    ]
    assert titles(signed_in.get("/questions/?sort=hardest").content.decode())[0] == "Design a distributed cache"
    # The default: by track in the site's order, easiest first within each.
    assert titles(signed_in.get("/questions/").content.decode()) == [
        "Count pairs with a given sum",
        "Pick a metric for rare positives",
        "AUC of a tiny ranking",
        "Design a distributed cache",
    ]


def test_a_new_search_starts_from_clean_filters(signed_in):
    response = signed_in.get("/questions/?search=cache&new_search=1&track=ml_fundamentals&kind=numeric")
    assert response.status_code == 302 and response["Location"] == "/questions/?search=cache"
    page = signed_in.get(response["Location"]).content.decode()
    assert titles(page) == ["Design a distributed cache"] and "1 question" in visible_text(page)


def test_a_search_keeps_the_filters_when_asked_and_an_empty_result_says_why(signed_in):
    response = signed_in.get("/questions/?search=cache&new_search=1&keep=1&track=ml_fundamentals")
    assert response["Location"] == "/questions/?search=cache&track=ml_fundamentals"
    page = signed_in.get(response["Location"]).content.decode()
    text = visible_text(page)
    assert "0 questions" in text and 'id="bank-empty"' in page
    assert "Nothing matches “cache” with Track: ML fundamentals." in text
    assert 'href="/questions/?search=cache">Clear filters</a>' in page
    assert titles(signed_in.get("/questions/?search=cache").content.decode()) == ["Design a distributed cache"]


def test_a_search_finds_topics_too(signed_in):
    assert titles(signed_in.get("/questions/?search=class%20imbalance").content.decode()) == ["Pick a metric for rare positives"]


def test_the_topic_menu_is_grouped_by_track_and_narrowed_to_the_chosen_one(signed_in):
    page = signed_in.get("/questions/").content.decode()
    assert '<optgroup label="Python / DSA">' in page and '<optgroup label="ML fundamentals">' in page
    assert '<option value="metrics">Metrics (2)</option>' in page
    narrowed = signed_in.get("/questions/?track=system_design").content.decode()
    assert '<optgroup label="System design">' in narrowed and "Metrics (2)" not in narrowed
    # A topic the chosen track has no question on is cleared, saying so.
    cleared = signed_in.get("/questions/?track=system_design&topic=metrics").content.decode()
    assert "No System design question is about Metrics, so that topic was cleared." in visible_text(cleared)
    assert titles(cleared) == ["Design a distributed cache"]


def test_topics_of_other_organizations_private_questions_are_not_offered(client, alice, dave, bank, tmp_path):
    bank_import(root=DATA / "org_bank", organization=Organization.objects.create(name="Initech", slug="initech"))
    groups = selectors.topic_choices(user=alice)
    assert {t["slug"] for g in groups for t in g["topics"] if g["track"] == "python_dsa"} == {"arrays", "hashing"}
    arrays = next(t for g in groups for t in g["topics"] if t["slug"] == "arrays")
    assert arrays["count"] == 1  # sum-pairs only, not Acme's or Initech's private arrays question


def test_the_pager_keeps_search_filters_and_sort_url_encoded(signed_in):
    page = signed_in.get("/questions/?search=a%26b&sort=title").content.decode()
    assert "0 questions" in visible_text(page)  # and no error from the ampersand


def test_a_search_with_unstorable_characters_or_a_huge_one_does_not_fail(signed_in):
    # The request layer refuses a NUL outright (400); a lone surrogate gets through to the view.
    assert signed_in.get("/questions/?search=ca%00che").status_code == 400
    response = signed_in.get("/questions/?search=ca%ED%A0%80che")
    assert response.status_code == 200 and "0 questions" in visible_text(response.content.decode())
    long = signed_in.get("/questions/?search=" + "x" * 5000)
    assert long.status_code == 200 and "0 questions" in visible_text(long.content.decode())


def test_private_questions_show_no_practise_button(client, bob, bank):
    client.force_login(bob)
    question = Question.objects.get(slug="acme-private-xss")
    detail = client.get(f"/questions/{question.id}/").content.decode()
    assert "Practise this question" not in detail
    listing = client.get("/questions/").content.decode()
    assert listing.count('action="/questions/') == 4  # the four public questions, not Acme's


@pytest.mark.parametrize(
    ("slug", "name"),
    [("class-imbalance", "Class imbalance"), ("llm-evaluation", "LLM evaluation"), ("k-means", "k-means"), ("numpy", "NumPy")],
)
def test_topic_names(slug, name):
    assert topic_name(slug) == name
