"""The API answers as its OpenAPI schema says: schemathesis against the live server.

Schemathesis reads ``/api/schema/`` from pytest-django's live server (real PostgreSQL,
real Redis as the broker, no worker), generates requests for every operation, valid
and invalid ones, and sends them as each role in turn: a candidate (alice), a recruiter
(bob), an organization admin (carol) and staff, each with their ``Authorization: Token``.
A test fails on

- any 5xx answer (``not_a_server_error``),
- a status code the operation does not declare (``status_code_conformance``),
- a body, content type or header that does not match the declared one
  (``response_schema_conformance``, ``content_type_conformance``,
  ``response_headers_conformance``).

So that the requests reach more than "404 no such object" and "400 invalid", the
database holds one of everything (practice and assessment interviews, finished and in
progress, a rubric grade, a queued submission, a webhook endpoint with a failed
delivery, unused invite links), and generated values are often replaced with real
ones: ids in paths, queries and bodies (and ids past 64 bits, which must be refused),
the invite tokens, a known email and password; generated bodies are also sent with
only their declared fields and storable text.

Each operation's requests come from ``APIOperation.as_strategy`` under Hypothesis
here, not from schemathesis's pytest plugin, which does not run on pytest 9.2.

Bounded and repeatable: each operation's examples come from a seed of its own, a fixed
number per operation and mode, with no shrinking, a timeout on every request and one
on each role's test. The whole stage takes about three minutes on two cores.
"""

from __future__ import annotations

import logging
import unicodedata
import zlib
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as accounts_services
from accounts.models import RecruiterInvite, User, WebhookDelivery, WebhookEndpoint
from grading import services as grading_services
from grading.models import AnswerGrade, Submission
from interview import services as interview_services
from interview.models import Answer, InterviewSession, InterviewTemplate, TemplateSection
from interview.services import answer_rubric_grade
from questions.models import Question
from tests.conftest import PASSWORD
from tests.review.reporting import graded_assessment, report_template

EXAMPLES_PER_OPERATION = 10
OUT_OF_RANGE_IDS = [2**63]
REQUEST_TIMEOUT_SECONDS = 30
# A role's run (43 operations) takes under a minute; this only stops a hang.
ROLE_TIMEOUT_SECONDS = 300

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# The role's token goes in every request; random credentials would only test the 403.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"with-security-parameters": False},
        # Failure reports show the request as sent (ids named "session" included), but no token.
        "output": {"sanitization": {"keys-to-sanitize": ["authorization", "cookie", "set-cookie"], "sensitive-markers": []}},
    }
)


def _seed(*, alice: User, bob: User, carol: User) -> dict[str, list[Any]]:
    """One object of each kind the API serves. Returns the values to put in generated
    requests, by the name of the path parameter, query parameter or body field."""
    mini = InterviewTemplate.objects.create(slug="mini-loop", title="Mini loop", total_minutes=30)
    section = TemplateSection.objects.create(template=mini, position=1, title="Everything")
    for slug in ("sum-pairs", "pick-metric", "auc-value", "design-cache"):
        section.questions.add(Question.objects.get(slug=slug))
    # Practice: one finished (results), one in progress (answers, runs, finishing).
    finished = interview_services.practice_start(candidate=alice, template=mini)
    interview_services.session_finish(session_id=finished.id, reason=InterviewSession.FinishReason.CANDIDATE)
    interview_services.practice_start(candidate=alice, template=mini)
    # Assessments at Acme: one finished with a rubric grade and a webhook delivery that
    # failed (report, grades, redelivery), one in progress (integrity events).
    endpoint = WebhookEndpoint.objects.create(
        organization=bob.organization,
        url="https://hooks.example.test/mockloop",
        secret="whsec_schema-conformance",
        events=["session.finished", "session.graded"],
        created_by=bob,
    )
    full_loop = report_template()
    assessment = graded_assessment(bob, alice, full_loop, grade=False)
    written = Answer.objects.get(
        session_question__session=assessment, session_question__question_version__question__kind="free_text"
    )
    answer_rubric_grade(answer_id=written.id)
    # A second candidate's, so that two interviews can be compared.
    other = User.objects.create_user("dana@example.test", PASSWORD, name="Dana")
    finished_assessments = [assessment.id, graded_assessment(bob, other, full_loop, grade=False).id]
    WebhookDelivery.objects.filter(endpoint=endpoint).update(status=WebhookDelivery.Status.FAILED)
    _, token = interview_services.assessment_invite_create(invited_by=bob, template=mini, email=alice.email)
    interview_services.assessment_start(token=token, candidate=alice)
    # Links not used yet: their raw tokens go in generated bodies, as the emails carry them.
    _, assessment_token = interview_services.assessment_invite_create(invited_by=bob, template=mini, email=alice.email)
    _, invite_token = accounts_services.recruiter_invite_create(invited_by=carol, email="newcomer@acme.test")
    grading_services.submission_create(
        user=alice,
        question=Question.objects.get(slug="sum-pairs"),
        source="def count_pairs(nums, target):\n    return 0\n",
        mode="run",
    )
    questions = _ids(Question)
    templates = _ids(InterviewTemplate)
    rubric = Question.objects.get(slug="design-cache").current_version.spec
    coding = Question.objects.get(slug="sum-pairs")
    return {
        "question_id": questions,
        "question": questions,
        "template_id": templates,
        "template": templates,
        "session_id": _ids(InterviewSession),
        "session": [finished_assessments, [*finished_assessments, *OUT_OF_RANGE_IDS]],  # ?session=1&session=2
        "position": [1, 2, 3, 4, *OUT_OF_RANGE_IDS],
        "submission_id": _ids(Submission),
        "grade_id": _ids(AnswerGrade),
        "endpoint_id": _ids(WebhookEndpoint),
        "delivery_id": _ids(WebhookDelivery),
        "invite_id": _ids(RecruiterInvite),
        "token": [assessment_token, invite_token],
        "revision": [2, *OUT_OF_RANGE_IDS],  # counters are 64-bit columns too
        # Body fields that random values never get right.
        "email": [alice.email],
        "password": [PASSWORD],
        "criterion": [criterion["id"] for criterion in rubric["criteria"]],
        "level": [0, 4],
        "url": ["http://127.0.0.1:9/hooks/mockloop"],
        "custom_input": [None, [[1, 2, 3], 4]],
        "sections": [[{"title": "Coding", "questions": [coding.id]}], [{"title": "Drawn", "draw_count": 1}]],
    }


def _ids(model: type) -> list[int]:
    # Ids past the 64-bit columns too: they must be refused (404 or 400), never reach a query.
    return [*sorted(model.objects.values_list("id", flat=True)), *OUT_OF_RANGE_IDS]


def _with_known_values(values: Any, known: dict[str, list[Any]]) -> st.SearchStrategy:
    """The generated values as they are, or with the fields ``known`` names set to one of its values."""
    if not isinstance(values, dict):
        return st.just(values)
    replaceable = {name: st.sampled_from(known[name]) for name in values if known.get(name)}
    if not replaceable:
        return st.just(values)
    return st.one_of(st.just(values), st.fixed_dictionaries(replaceable).map(lambda ids: {**values, **ids}))


def _storable(value: Any) -> Any:
    """``value`` without the characters the API refuses to store (controls, surrogates,
    non-characters), in keys and strings at any depth."""
    if isinstance(value, str):
        return "".join(char for char in value if not unicodedata.category(char).startswith("C"))
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _declared_body_fields(raw_schema: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """Each operation's (path, method) request body fields, as the schema names them."""
    components = raw_schema.get("components", {}).get("schemas", {})
    fields = {}
    for path, methods in raw_schema["paths"].items():
        for method, operation in methods.items():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                body = content["schema"]
                body = components.get(body.get("$ref", "").rsplit("/", 1)[-1], body)
                fields[(path, method.upper())] = set(body.get("properties", {}))
    return fields


class Caller:
    """One role's credentials. An operation may revoke its token (``/api/auth/token/delete/``):
    it is put back after every request, so that the next one is still that role's."""

    def __init__(self, user: User, base_url: str) -> None:
        self.user = user
        self.base_url = base_url
        self.key = Token.objects.get_or_create(user=user)[0].key

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.key}"}

    def restore(self) -> None:
        Token.objects.get_or_create(user=self.user, defaults={"key": self.key})


@pytest.fixture
def stage_settings(settings) -> None:
    # Signing up, signing in and accepting invites hash passwords, slowly on purpose;
    # Django's advice for tests: a fast hasher (the users are made after this).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Webhook URLs must resolve to public addresses; the one offered here is local.
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture(params=["candidate", "recruiter", "org_admin", "staff"])
def caller(request, stage_settings, live_server, bank, alice, bob, carol, staff) -> Caller:
    user = {"candidate": alice, "recruiter": bob, "org_admin": carol, "staff": staff}[request.param]
    return Caller(user, live_server.url)


@pytest.fixture
def api_schema(caller, alice, bob, carol):
    known = _seed(alice=alice, bob=bob, carol=carol)
    schema = schemathesis.openapi.from_url(f"{caller.base_url}/api/schema/", config=CONFIG)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        return _with_known_values(path_parameters, known)

    declared = _declared_body_fields(schema.raw_schema)

    @schema.hook
    def flatmap_body(context, body):
        # Generated bodies carry extra fields and characters the API refuses, so that
        # most would be a 400: as often, the same body with only the declared fields and
        # storable text, so that the successful answers are checked too.
        if not isinstance(body, dict):
            return st.just(body)
        fields = declared.get((context.operation.path, context.operation.method.upper()), set())
        clean = _storable({name: value for name, value in body.items() if name in fields})
        return st.one_of(st.just(body), _with_known_values(clean, known))

    @schema.hook
    def map_query(context, query):
        # ?wait= holds a submission's answer up to 25 s while nothing runs it (no worker
        # here): at most a second, so the run's length does not depend on it.
        try:
            too_long = float(query["wait"]) > 1
        except (KeyError, TypeError, ValueError):
            too_long = False
        return {**query, "wait": 1} if too_long else query

    @schema.hook
    def flatmap_query(context, query):
        return _with_known_values(query, known)

    return schema


def _operation_test(operation, mode: GenerationMode, caller: Caller):
    """A Hypothesis test sending generated requests for one operation, in one mode."""

    # Seeded by the operation, so each gets its own examples, the same on every run.
    @hypothesis.seed(zlib.crc32(f"{operation.label} {mode.value}".encode()))
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        database=None,
        # No shrinking: a failure is shown as found, and a failing run stays short.
        phases=[hypothesis.Phase.generate],
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        try:
            case.call_and_validate(
                base_url=caller.base_url, headers=caller.headers, checks=CHECKS, timeout=REQUEST_TIMEOUT_SECONDS
            )
        finally:
            caller.restore()

    return run


def _modes(operation) -> list[GenerationMode]:
    # An operation that takes no input has no invalid requests to make.
    takes_input = any(len(part) for part in (operation.path_parameters, operation.query, operation.body))
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if takes_input else [GenerationMode.POSITIVE]


@pytest.mark.timeout(ROLE_TIMEOUT_SECONDS)
def test_it_answers_as_the_schema_says(api_schema, caller, subtests, caplog):
    # Thousands of requests: only errors are logged (a 500's traceback among them).
    caplog.set_level(logging.WARNING, logger="mockloop.request")
    caplog.set_level(logging.ERROR, logger="django.request")
    caplog.set_level(logging.ERROR, logger="weasyprint")
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40  # every operation, as the schema was read
    # Deleting last, so that what the others work on is still there.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    for operation in operations:
        for mode in _modes(operation):
            with subtests.test(msg=f"{operation.label} ({mode.value})"):
                _operation_test(operation, mode, caller)()
