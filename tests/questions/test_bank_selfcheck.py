"""The bank self-check: every question in questions/bank imports, every reference
solution passes all of its own tests, and wrong answers fail.

Runs each coding question's reference, starter, wrong and naive solutions (see
questions.check) through the configured sandbox. Per question, so a failure names
the question.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from config.sandbox_backend import sandbox_backend
from questions.bank_format import Kind, Track, find_question_folders, load_bank
from questions.check import DEFAULT_BANK, check_paths

FOLDERS = find_question_folders(DEFAULT_BANK)
BUNDLES = {b.slug: b for b in load_bank(DEFAULT_BANK)}


@pytest.mark.slow
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_question_passes_its_self_check(folder: Path, settings):
    # Through the real sandbox, as candidates' code runs.
    checked, errors = check_paths([folder], sandbox_backend())
    assert checked == 1
    assert errors == [], "\n".join(map(str, errors))


def test_the_bank_covers_the_three_tracks_at_the_promised_depth():
    # The AI-engineering loop (issue 17): 40 DSA problems, 45 ML questions (10 NumPy tasks,
    # 8 written), 20 system designs.
    by_track = Counter(b.manifest.track for b in BUNDLES.values())
    assert by_track[Track.PYTHON_DSA] >= 40
    assert by_track[Track.ML_FUNDAMENTALS] >= 45
    assert by_track[Track.SYSTEM_DESIGN] >= 20
    ml = [b for b in BUNDLES.values() if b.manifest.track == Track.ML_FUNDAMENTALS]
    ml_kinds = Counter(b.manifest.kind for b in ml)
    assert ml_kinds[Kind.MULTIPLE_CHOICE] >= 1 and ml_kinds[Kind.NUMERIC] >= 1
    assert ml_kinds[Kind.FREE_TEXT] >= 8
    numpy_tasks = [b.slug for b in ml if b.manifest.kind == Kind.CODING and "import numpy" in b.spec()["solution"]]
    assert len(numpy_tasks) >= 10, numpy_tasks


# Questions on the language itself and on pandas (generators, asyncio, the GIL, groupby)
# are about semantics, not complexity: no naive solution to time out, maybe no code at all.
LANGUAGE_TOPICS = {"python-language", "pandas"}


def _is_dsa_problem(bundle) -> bool:
    return bundle.manifest.track == Track.PYTHON_DSA and not LANGUAGE_TOPICS & set(bundle.manifest.topics)


@pytest.mark.parametrize("slug", sorted(s for s, b in BUNDLES.items() if _is_dsa_problem(b)))
def test_dsa_problems_have_eight_tests_hidden_edge_cases_and_a_large_input(slug):
    coding = BUNDLES[slug].manifest.coding
    assert coding is not None
    assert len(coding.tests) >= 8
    assert sum(not t.visible for t in coding.tests) >= 3
    # The naive solution must time out on one of them: the self-check verifies it.
    assert coding.naive_solution is not None


@pytest.mark.parametrize("slug", sorted(s for s, b in BUNDLES.items() if b.manifest.track == Track.SYSTEM_DESIGN))
def test_design_questions_have_a_four_to_six_criterion_rubric(slug):
    rubric = BUNDLES[slug].manifest.rubric
    assert rubric is not None
    assert 4 <= len(rubric.criteria) <= 6


@pytest.mark.parametrize(
    "slug", sorted(s for s, b in BUNDLES.items() if b.manifest.kind == Kind.FREE_TEXT), ids=lambda slug: slug
)
def test_every_rubric_criterion_carries_probes_for_the_interviewer(slug):
    # The interviewer's offline follow-ups are these probes, aimed at the weakest criteria.
    rubric = BUNDLES[slug].manifest.rubric
    missing = [c.id for c in rubric.criteria if not 1 <= len(c.probes) <= 3]
    assert not missing, f"criteria without 1 to 3 probes: {missing}"


@pytest.mark.parametrize("slug", sorted(s for s, b in BUNDLES.items() if b.manifest.kind == Kind.CODING), ids=lambda slug: slug)
def test_every_coding_question_has_a_graded_follow_up(slug):
    follow_up = BUNDLES[slug].manifest.coding.follow_up
    assert follow_up is not None, "no follow_up: the interviewer has nothing to ask after an accepted submission"
    assert follow_up.criteria and follow_up.reference.strip()


def _seeded_public_templates() -> list[tuple]:
    import importlib

    return [
        template
        for name in ("0002_seed_templates", "0006_seed_ai_engineer_template")
        for template in importlib.import_module(f"interview.migrations.{name}").TEMPLATES
    ]


@pytest.mark.parametrize("template", _seeded_public_templates(), ids=lambda t: t[0])
def test_every_public_template_can_be_drawn_from_the_bank(template):
    # A section asks for N questions matching its draw: the bank must hold at least N,
    # or starting the template fails for every candidate.
    _, title, _, _, sections = template
    for section_title, _, draw in sections:
        pool = [
            b
            for b in BUNDLES.values()
            if b.manifest.track == draw.get("draw_track", b.manifest.track)
            and b.manifest.kind == draw.get("draw_kind", b.manifest.kind)
            and b.manifest.difficulty == draw.get("draw_difficulty", b.manifest.difficulty)
            and (not draw.get("draw_topics") or set(draw["draw_topics"]) & set(b.manifest.topics))
        ]
        assert len(pool) >= draw["draw_count"], f"{title}: section {section_title!r} draws {draw['draw_count']} of {len(pool)}"
