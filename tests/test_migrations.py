"""The migrations of the layers change (review 0001, grading 0007 to 0010) run forwards
over a database that holds data.

``review`` 0001 and ``grading`` 0007 move SimilarityFlag and SimilarityCheck from grading to
review without touching their tables (state only) and move their content types; grading
0008 to 0010 give every AnswerGrade the question version and text it graded, filled from
its answer. The test seeds the demo cohort, migrates back to before the move (grading
0006, review zero), adds rows the way an old deployment would have them (with the models
of that state), migrates forwards again and checks that nothing was lost and every grade
was filled. It changes the schema of the shared test database, so it always migrates back
to the leaf nodes, whatever happens.

Under pytest-xdist every worker has its own test database (pytest-django suffixes its name
with the worker id) and runs its tests one after another, so no other test sees the
database while it is migrated back.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

BANK = Path(__file__).resolve().parents[1] / "questions" / "bank"
# Before the similarity models moved: grading 0006, and no review migration applied.
BEFORE_MOVE = [("grading", "0006_similarity_check"), ("review", None)]
SIMILARITY_MODELS = ("similarityflag", "similaritycheck")
# The fields grading 0008 adds (0009 fills them, 0010 makes the version required).
NEW_GRADE_FIELDS = ("question_version_id", "answer_text")
# Added by later migrations (0012: the local grader's confidence); empty for old grades.
LATER_GRADE_FIELDS = ("confidence", "part", "exchange")


def _migrate(targets=None) -> None:
    """Migrates the test database to ``targets`` (the leaf nodes of every app by default)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())


def _leaf_nodes_reach() -> None:
    """Migrates to the leaf nodes; when rows stop a migration (a wrong one), empties the
    tables and migrates again, so that the tests after this one find the schema they expect."""
    try:
        _migrate()
    except Exception:
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        _migrate()
        raise


def _applied_apps():
    """The historical models of the migrations applied to the database now."""
    loader = MigrationLoader(connection)
    return loader.project_state(list(loader.applied_migrations)).apps


def _answer_text(payload) -> str:
    text = payload.get("text", "") if isinstance(payload, dict) else ""
    return text if isinstance(text, str) else ""


def _demo_cohort_seed() -> None:
    """What tests/review/test_demo_cohort.py seeds, graded and checked for similarity the
    way the worker would (the code submissions are not run: no migration reads them)."""
    from interview.demo import DEMO_QUESTIONS
    from interview.models import Answer
    from interview.services import answer_rubric_grade
    from questions.services import bank_import
    from review.similarity_services import answer_similarity_check

    for track, slug in DEMO_QUESTIONS:
        bank_import(root=BANK / track / slug)
    call_command("seed_demo", stdout=io.StringIO())
    for answer in Answer.objects.filter(grade_status="pending", session_question__question_version__question__kind="free_text"):
        answer_rubric_grade(answer_id=answer.id)
    for answer in Answer.objects.filter(session_question__question_version__question__kind__in=["coding", "free_text"]):
        answer_similarity_check(answer_id=answer.id)


def _old_deployment_rows(apps) -> dict[str, object]:
    """Rows made with the models of grading 0006 (before the move): an organization, a
    recruiter and two candidates, a written question whose sessions froze version 1 while
    version 2 is current, a coding question, a template, two finished assessments with a
    written and a coding answer each, grades of the written answers (one graded twice, one
    of an answer whose text is not a string), a flag between the two written answers and
    similarity checks."""
    Organization = apps.get_model("accounts", "Organization")
    User = apps.get_model("accounts", "User")
    Question = apps.get_model("questions", "Question")
    QuestionVersion = apps.get_model("questions", "QuestionVersion")
    InterviewTemplate = apps.get_model("interview", "InterviewTemplate")
    InterviewSession = apps.get_model("interview", "InterviewSession")
    SessionQuestion = apps.get_model("interview", "SessionQuestion")
    Answer = apps.get_model("interview", "Answer")
    AnswerGrade = apps.get_model("grading", "AnswerGrade")
    SimilarityFlag = apps.get_model("grading", "SimilarityFlag")
    SimilarityCheck = apps.get_model("grading", "SimilarityCheck")

    org = Organization.objects.create(name="Initech", slug="initech")
    recruiter = User.objects.create(email="rita@initech.test", password="!", role="recruiter", organization=org)
    candidates = [User.objects.create(email=f"{name}@example.test", password="!", name=name.title()) for name in ("una", "vic")]

    def question(slug: str, track: str, kind: str, versions: int):
        q = Question.objects.create(organization=org, slug=slug, track=track, kind=kind)
        made = [
            QuestionVersion.objects.create(
                question=q,
                number=n,
                content_hash=f"{slug}-{n}".ljust(64, "0"),
                title=f"{slug} v{n}",
                difficulty="medium",
                time_estimate_minutes=20,
                prompt_markdown="Design it.",
                prompt_html="<p>Design it.</p>",
                spec={"criteria": [{"id": "scaling", "name": "Scaling", "levels": ["none", "some", "all"]}]},
            )
            for n in range(1, versions + 1)
        ]
        q.current_version = made[-1]
        q.save(update_fields=["current_version"])
        return made

    written_v1, written_v2 = question("rate-limiter", "system_design", "free_text", versions=2)
    (coding_v1,) = question("two-sum", "python_dsa", "coding", versions=1)
    template = InterviewTemplate.objects.create(organization=org, slug="initech-screen", title="Initech screen", total_minutes=45)

    texts = [
        "A token bucket per client in Redis, refilled at the allowed rate; every gateway node reads the same bucket.",
        "Token bucket per client kept in Redis and refilled at the allowed rate, shared by all gateway nodes.",
    ]
    started = timezone.now() - timedelta(days=2)
    written, coding = [], []
    for candidate, text in zip(candidates, texts, strict=True):
        session = InterviewSession.objects.create(
            candidate=candidate,
            template=template,
            organization=org,
            mode="assessment",
            status="finished",
            started_at=started,
            deadline=started + timedelta(minutes=45),
            finished_at=started + timedelta(minutes=40),
            finish_reason="candidate",
            score=0.5,
        )
        for position, version, payload in (
            (0, written_v1, {"text": text}),
            (1, coding_v1, {"source": "def two_sum(xs, t):\n    return []\n"}),
        ):
            sq = SessionQuestion.objects.create(session=session, position=position, section_title="All", question_version=version)
            answer = Answer.objects.create(session_question=sq, payload=payload, revision=3, grade_status="graded", score=0.5)
            (written if position == 0 else coding).append(answer)
    # A written answer whose text is not a string (the grade's text becomes empty).
    odd_session = InterviewSession.objects.create(
        candidate=candidates[0],
        template=template,
        organization=org,
        mode="practice",
        status="finished",
        started_at=started,
        deadline=started + timedelta(minutes=45),
        finished_at=started + timedelta(minutes=5),
        finish_reason="expired",
    )
    odd_sq = SessionQuestion.objects.create(session=odd_session, position=0, section_title="All", question_version=written_v2)
    odd = Answer.objects.create(session_question=odd_sq, payload={"text": None}, revision=1, grade_status="graded", score=0)

    def grade(answer, **extra):
        return AnswerGrade.objects.create(
            answer=answer,
            grader="local",
            prompt_version="rubric-v2",
            rubric_hash="0123456789abcdef",
            cache_key=f"key-{answer.id}-{extra.get('cached', False)}",
            status="graded",
            criteria=[{"id": "scaling", "level": 1, "reasoning": "some", "evidence": []}],
            machine_score=0.5,
            organization=org,
            **extra,
        )

    grades = [grade(written[0]), grade(written[0], cached=True), grade(written[1]), grade(odd)]
    flag = SimilarityFlag.objects.create(
        question_id=written_v1.question_id,
        answer_a=written[0],
        answer_b=written[1],
        kind="text",
        similarity=0.91,
        regions=[[[0, 40], [0, 38]]],
    )
    checks = [SimilarityCheck.objects.create(answer=a, flags=1) for a in written] + [
        SimilarityCheck.objects.create(answer=a, flags=0) for a in coding
    ]
    return {"recruiter": recruiter, "grades": grades, "flag": flag, "checks": checks, "version_frozen": written_v1}


@pytest.mark.django_db(transaction=True)
def test_the_similarity_move_and_the_grade_fill_keep_every_row(monkeypatch):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from grading.models import AnswerGrade
    from review.models import SimilarityCheck, SimilarityFlag

    # No task reaches the broker: nothing consumes it here, and a later test's worker must not.
    monkeypatch.setattr("celery.app.task.Task.delay", lambda self, *args, **kwargs: None)
    _demo_cohort_seed()
    assert SimilarityFlag.objects.filter(kind="code").exists() and SimilarityFlag.objects.filter(kind="text").exists()
    assert AnswerGrade.objects.count() >= 4 and SimilarityCheck.objects.count() >= 8

    content_types = {m: ContentType.objects.get(app_label="review", model=m).id for m in SIMILARITY_MODELS}
    permissions = set(Permission.objects.filter(content_type_id__in=content_types.values()).values_list("id", "codename"))
    assert len(permissions) == 8  # add, change, delete and view of each
    demo_grades = {g["id"]: g for g in AnswerGrade.objects.values()}
    demo_flags = list(SimilarityFlag.objects.order_by("id").values())
    try:
        _migrate(BEFORE_MOVE)
        old = _applied_apps()

        # Before the move: the rows are grading's, so are their content types, and a grade
        # has no question version or text yet.
        with pytest.raises(LookupError):
            old.get_model("review", "SimilarityFlag")
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert {ct.model: ct.id for ct in OldContentType.objects.filter(app_label="grading", model__in=SIMILARITY_MODELS)} == (
            content_types
        )
        assert not OldContentType.objects.filter(app_label="review").exists()
        assert list(old.get_model("grading", "SimilarityFlag").objects.order_by("id").values()) == demo_flags
        old_grade_fields = {f.attname for f in old.get_model("grading", "AnswerGrade")._meta.concrete_fields}
        assert old_grade_fields.isdisjoint(NEW_GRADE_FIELDS + LATER_GRADE_FIELDS)

        made = _old_deployment_rows(old)
        # `migrate grading 0006` with this code installed makes content types (and their
        # permissions) for the review models at its end: the move must give way to grading's.
        OldPermission = old.get_model("auth", "Permission")
        for model in SIMILARITY_MODELS:
            stale = OldContentType.objects.create(app_label="review", model=model)
            OldPermission.objects.create(content_type=stale, codename=f"add_{model}", name=f"Can add {model}")
        flags_before = list(old.get_model("grading", "SimilarityFlag").objects.order_by("id").values())
        checks_before = list(old.get_model("grading", "SimilarityCheck").objects.order_by("id").values())
        grades_before = {g["id"]: g for g in old.get_model("grading", "AnswerGrade").objects.values()}
        assert len(flags_before) == len(demo_flags) + 1

        _migrate()
    finally:
        _leaf_nodes_reach()
    ContentType.objects.clear_cache()

    # The rows are the review app's now, every field as it was.
    assert list(SimilarityFlag.objects.order_by("id").values()) == flags_before
    assert list(SimilarityCheck.objects.order_by("id").values()) == checks_before
    flag = SimilarityFlag.objects.get(id=made["flag"].id)
    assert flag.answer_a.session_question.session.candidate.email == "una@example.test"
    assert SimilarityCheck.objects.get(answer_id=made["checks"][0].answer_id).flags == 1

    # Their content types moved with their ids (what permissions and admin log entries
    # point at), none is left under grading, and the stale review ones gave way.
    assert {ct.model: ct.id for ct in ContentType.objects.filter(model__in=SIMILARITY_MODELS)} == content_types
    assert not ContentType.objects.filter(app_label="grading", model__in=SIMILARITY_MODELS).exists()
    assert ContentType.objects.get_for_model(SimilarityFlag).id == content_types["similarityflag"]
    assert ContentType.objects.get_for_model(SimilarityCheck).id == content_types["similaritycheck"]
    assert set(Permission.objects.filter(content_type__model__in=SIMILARITY_MODELS).values_list("id", "codename")) == permissions

    # Every grade records what it graded: the version its session froze (not the
    # question's current one) and its answer's text; nothing else about it changed.
    grades = list(AnswerGrade.objects.select_related("answer__session_question").order_by("id"))
    assert {g.id for g in grades} == set(grades_before) == set(demo_grades) | {g.id for g in made["grades"]}
    for grade in grades:
        assert grade.question_version_id == grade.answer.session_question.question_version_id, grade.id
        assert grade.answer_text == _answer_text(grade.answer.payload), grade.id
        values = AnswerGrade.objects.values().get(id=grade.id)
        assert {k: v for k, v in values.items() if k not in NEW_GRADE_FIELDS + LATER_GRADE_FIELDS} == grades_before[grade.id]
    for grade_id, written in demo_grades.items():  # the fill agrees with what the app writes
        assert AnswerGrade.objects.values(*NEW_GRADE_FIELDS).get(id=grade_id) == {f: written[f] for f in NEW_GRADE_FIELDS}
    una, una_again, vic, odd = (AnswerGrade.objects.get(id=g.id) for g in made["grades"])
    assert una.question_version_id == vic.question_version_id == made["version_frozen"].id
    assert una.question_version.question.current_version_id != made["version_frozen"].id
    assert una.answer_text == una_again.answer_text and una.answer_text.startswith("A token bucket")
    assert vic.answer_text.startswith("Token bucket") and odd.answer_text == ""
    assert all(g.answer_text for g in AnswerGrade.objects.exclude(id=odd.id))


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"the models have changes no migration records:\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
