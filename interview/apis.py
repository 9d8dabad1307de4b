"""Interviews over the REST API: templates, starting, answering, finishing, results."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from config.api import MAX_ID, Pagination, reject_unknown_params
from config.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from config.limits import CodeRunThrottle, CodeSubmitThrottle
from config.schema import error_response
from grading.apis import SubmissionOutput
from interview import invite_selectors, selectors, services
from interview.models import (
    Answer,
    AssessmentInvite,
    FollowUp,
    IntegrityEvent,
    InterviewSession,
    InterviewTemplate,
    SessionQuestion,
)
from interview.presenters import display_names, points, question_review, session_score_explained, written_coaching
from interview.services import invites
from interview.services.templates import (
    MAX_SECTIONS,
    template_archive,
    template_duplicate,
    template_sections_data,
    template_unarchive,
    template_update,
)
from questions.bank_format import Difficulty, Kind, Track
from questions.markdown import render_markdown
from questions.presenters import candidate_content


class TemplateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    total_minutes = serializers.IntegerField()
    follow_ups = serializers.BooleanField()
    follow_up_minutes = serializers.IntegerField()
    organization = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    def get_organization(self, template: InterviewTemplate) -> str | None:
        return template.organization.slug if template.organization_id else None

    def get_sections(self, template: InterviewTemplate) -> list[dict[str, Any]]:
        return [
            {"title": s.title, "minutes": s.minutes, "questions": s.draw_count or s.questions.count()}
            for s in template.sections.all()
        ]


class TemplateSectionInput(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    minutes = serializers.IntegerField(min_value=1, max_value=240, required=False, allow_null=True)
    questions = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=30
    )
    draw_count = serializers.IntegerField(min_value=0, max_value=20, required=False, default=0)
    draw_track = serializers.ChoiceField(choices=[t.value for t in Track], required=False, default="")
    draw_kind = serializers.ChoiceField(choices=[k.value for k in Kind], required=False, default="")
    draw_difficulty = serializers.ChoiceField(choices=[d.value for d in Difficulty], required=False, default="")
    draw_topics = serializers.ListField(child=serializers.SlugField(), required=False, default=list, max_length=10)


class TemplateListCreateApi(APIView):
    """Templates you may use; recruiters create their organization's own."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
        total_minutes = serializers.IntegerField(min_value=1, max_value=480)
        shuffle_questions = serializers.BooleanField(required=False, default=False)
        follow_ups = serializers.BooleanField(required=False, default=False)
        follow_up_minutes = serializers.IntegerField(min_value=1, max_value=15, required=False, default=3)
        # A bad section is named by its index: {"sections": {"0": {"title": ["This field is required."]}}}.
        sections = serializers.ListField(child=TemplateSectionInput(), min_length=1, max_length=MAX_SECTIONS)

    @extend_schema(responses=TemplateOutput(many=True))
    def get(self, request: Request) -> Response:
        templates = selectors.templates_visible_to(request.user).prefetch_related("sections")
        return Response(TemplateOutput(templates, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: TemplateOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = services.template_create(user=request.user, **data.validated_data)
        return Response(TemplateOutput(template).data, status=status.HTTP_201_CREATED)


class TemplateDetailOutput(TemplateOutput):
    """A template with its sections in full, in the shape PATCH takes them."""

    is_active = serializers.BooleanField()
    shuffle_questions = serializers.BooleanField()

    def get_sections(self, template: InterviewTemplate) -> list[dict[str, Any]]:
        return template_sections_data(template)


def _template_for(request: Request, template_id: int) -> InterviewTemplate:
    """A template the user may read: their organization's (active or archived), or an
    active public one. Anything else, another organization's included, is not found."""
    visible = selectors.templates_visible_to(request.user)
    if request.user.is_recruiter:
        visible = visible | InterviewTemplate.objects.filter(organization_id=request.user.organization_id)
    template = visible.filter(id=template_id).first()
    if template is None:
        raise NotFoundError("no such template")
    return template


class TemplateDetailApi(APIView):
    """One template. Recruiters change their organization's own (PATCH: any field;
    ``sections``, if given, replaces them all); sessions already started keep theirs."""

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
        total_minutes = serializers.IntegerField(min_value=1, max_value=480, required=False)
        shuffle_questions = serializers.BooleanField(required=False)
        follow_ups = serializers.BooleanField(required=False)
        follow_up_minutes = serializers.IntegerField(min_value=1, max_value=15, required=False)
        sections = serializers.ListField(child=TemplateSectionInput(), min_length=1, max_length=MAX_SECTIONS, required=False)
        is_active = serializers.BooleanField(required=False)

    @extend_schema(responses={200: TemplateDetailOutput, 404: error_response("`not_found`: no such template.")})
    def get(self, request: Request, template_id: int) -> Response:
        return Response(TemplateDetailOutput(_template_for(request, template_id)).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: TemplateDetailOutput, 404: error_response("`not_found`: not one of your organization's templates.")},
    )
    def patch(self, request: Request, template_id: int) -> Response:
        template = _template_for(request, template_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        active = changes.pop("is_active", None)
        if changes:
            fields = {
                "title": template.title,
                "description": template.description,
                "total_minutes": template.total_minutes,
                "shuffle_questions": template.shuffle_questions,
                "follow_ups": template.follow_ups,
                "follow_up_minutes": template.follow_up_minutes,
                "sections": template_sections_data(template),
                **changes,
            }
            template = template_update(user=request.user, template=template, **fields)
        if active is not None:
            change = template_unarchive if active else template_archive
            template = change(user=request.user, template=template)
        return Response(TemplateDetailOutput(template).data)


class TemplateDuplicateApi(APIView):
    """Copies a template ("Title (copy)") for the recruiter's organization: one of its
    own, or a public one."""

    @extend_schema(request=None, responses={201: TemplateDetailOutput, 404: error_response("`not_found`: no such template.")})
    def post(self, request: Request, template_id: int) -> Response:
        copy = template_duplicate(user=request.user, template=_template_for(request, template_id))
        return Response(TemplateDetailOutput(copy).data, status=status.HTTP_201_CREATED)


SESSION_CLOSED = error_response("`session_closed`: the interview is finished, or its (or the section's) time is up.")
ANSWER_TOO_LARGE = error_response(
    "`answer_too_large`: over 64 KiB of code or 20,000 characters of text; `request_too_large`: the body is over the size limit."
)


def _session_or_404(request: Request, session_id: int) -> InterviewSession:
    session = selectors.session_get(user=request.user, session_id=session_id)
    if session is None:
        raise NotFoundError("no such interview")
    return services.session_expire_if_due(session)


def _own_session_or_404(request: Request, session_id: int) -> InterviewSession:
    session = _session_or_404(request, session_id)
    if session.candidate_id != request.user.id:
        raise NotFoundError("no such interview")
    return session


def follow_up_payload(follow_up: FollowUp, session: InterviewSession, *, now: Any = None) -> dict[str, Any]:
    """A follow-up as the candidate sees it while the interview runs: never its criterion."""
    now = now or timezone.now()
    state = services.follow_up_state(follow_up, session, now=now)
    if state == FollowUp.State.FLAGGED and session.mode == InterviewSession.Mode.ASSESSMENT:
        state = FollowUp.State.ANSWERED  # an assessment tells the candidate nothing of how a reply was read
    return {
        "id": follow_up.id,
        "number": follow_up.number,
        "question": follow_up.question,
        "asked_at": follow_up.asked_at,
        "deadline": follow_up.deadline,
        "remaining_seconds": max(0.0, (follow_up.deadline - now).total_seconds()) if state == FollowUp.State.OPEN else 0.0,
        "state": state,
        "reply": follow_up.reply,
        "revision": follow_up.reply_revision,
        "saved_at": follow_up.reply_saved_at,
        # What the candidate sent after the time box: kept, shown back, never graded.
        "late_reply": follow_up.late_reply,
    }


def _follow_ups_status(answer: Answer, follow_ups: list[FollowUp]) -> str:
    if follow_ups:
        return "asked"
    if answer.follow_ups_asked_at is not None:
        return "none"
    return "preparing" if answer.submitted_at is not None else "not_submitted"


def _question_payload(question: SessionQuestion, answer: Answer) -> dict[str, Any]:
    version = question.question_version
    content = candidate_content(version)
    if version.question.kind == Kind.MULTIPLE_CHOICE and question.option_order:
        by_id = {o["id"]: o for o in content["options"]}
        content["options"] = [by_id[i] for i in question.option_order]
    if version.question.kind == Kind.MULTIPLE_CHOICE:
        # A, B, C… in the order this session shows them (its option_order), as the results page labels them.
        content["options"] = [{**o, "label": chr(ord("A") + i)} for i, o in enumerate(content["options"])]
    return {
        "position": question.position,
        "section": question.section_title,
        "section_deadline": question.section_deadline,
        "title": version.title,
        "kind": version.question.kind,
        "track": version.question.track,
        "prompt_html": version.prompt_html,
        "content": content,
        "answer": {
            "payload": answer.payload,
            "revision": answer.revision,
            "saved_at": answer.saved_at,
            "submitted_at": answer.submitted_at,
        },
    }


def _with_follow_ups(item: dict[str, Any], answer: Answer, session: InterviewSession, now: Any) -> dict[str, Any]:
    if session.template.follow_ups:
        follow_ups = list(answer.follow_ups.all())
        item["follow_ups"] = [follow_up_payload(f, session, now=now) for f in follow_ups]
        item["follow_ups_status"] = _follow_ups_status(answer, follow_ups)
    return item


def session_payload(session: InterviewSession) -> dict[str, Any]:
    services.follow_ups_due(session=session)
    now = timezone.now()
    questions = (
        session.questions.select_related("question_version__question", "answer")
        .prefetch_related("answer__follow_ups")
        .order_by("position")
    )
    return {
        "id": session.id,
        "template": session.template.title,
        "mode": session.mode,
        "status": session.status,
        "started_at": session.started_at,
        "deadline": session.deadline,
        "server_time": now,
        "remaining_seconds": max(0.0, (session.deadline - now).total_seconds()) if session.status == "in_progress" else 0.0,
        "finish_reason": session.finish_reason,
        "follow_ups": session.template.follow_ups,
        "questions": [_with_follow_ups(_question_payload(q, q.answer), q.answer, session, now) for q in questions],
        # The names the page shows for kinds and verdicts: the results page's, so both say the same.
        "labels": display_names(),
    }


SessionOutput = inline_serializer(
    "InterviewSession",
    {
        "id": serializers.IntegerField(),
        "template": serializers.CharField(),
        "mode": serializers.CharField(),
        "status": serializers.CharField(),
        "deadline": serializers.DateTimeField(),
        "server_time": serializers.DateTimeField(),
        "remaining_seconds": serializers.FloatField(),
        "questions": serializers.ListField(child=serializers.DictField()),
        "labels": serializers.DictField(),
    },
)


class PracticeStartApi(APIView):
    """Starts a practice interview from a public template. The clock starts now."""

    @extend_schema(
        request=None,
        responses={
            201: SessionOutput,
            409: error_response("`session_in_progress`: you have this interview in progress (`fields.session` has its id)."),
        },
    )
    def post(self, request: Request, template_id: int) -> Response:
        template = selectors.templates_visible_to(request.user).filter(id=template_id).first()
        if template is None:
            raise NotFoundError("no such template")
        session = services.practice_start(candidate=request.user, template=template)
        return Response(session_payload(session), status=status.HTTP_201_CREATED)


class AssessmentInviteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    candidate_name = serializers.CharField()
    template = serializers.CharField(source="template.title")
    template_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=AssessmentInvite.STATUSES)
    invited_by = serializers.EmailField(source="invited_by.email", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    send_count = serializers.IntegerField()
    last_sent_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    session = serializers.SerializerMethodField(help_text="The interview the invite started, once used.")

    def get_session(self, invite: AssessmentInvite) -> int | None:
        session = getattr(invite, "session", None)
        return session.id if session is not None else None


class AssessmentInviteListFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=AssessmentInvite.STATUSES, required=False)
    template = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="A template id.")


def _require_inviter(request: Request) -> None:
    if not request.user.is_recruiter:
        raise ForbiddenError("only recruiters invite candidates")


class AssessmentInviteCreateApi(APIView):
    """Recruiters invite a candidate (by email) to take a template as an assessment, and
    list their organization's invitations."""

    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):
        template = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        email = serializers.EmailField()
        candidate_name = serializers.CharField(max_length=150, required=False, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        template = serializers.CharField(source="template.title")
        status = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: error_response("`invalid`: the email address (at most 254 characters) or the name cannot be used."),
            404: error_response("`not_found`: no such template."),
            429: error_response("`invite_daily_limit`: the organization's invitations for today are used up."),
        },
    )
    def post(self, request: Request) -> Response:
        if not request.user.is_recruiter:
            raise ForbiddenError("only recruiters invite candidates")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = selectors.templates_visible_to(request.user).filter(id=data.validated_data["template"]).first()
        if template is None:
            raise NotFoundError("no such template")
        invite, _ = services.assessment_invite_create(
            invited_by=request.user,
            template=template,
            email=data.validated_data["email"],
            candidate_name=data.validated_data["candidate_name"],
        )
        return Response(self.OutputSerializer(invite).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[AssessmentInviteListFilter],
        responses={200: AssessmentInviteOutput(many=True), 403: error_response("`permission_denied`: not a recruiter.")},
    )
    def get(self, request: Request) -> Response:
        _require_inviter(request)
        reject_unknown_params(request, AssessmentInviteListFilter().fields)
        filters = AssessmentInviteListFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = invite_selectors.invites_for(
            request.user, state=filters.validated_data.get("status"), template=filters.validated_data.get("template")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(found, request, view=self)
        return paginator.get_paginated_response(AssessmentInviteOutput(page, many=True).data)


class AssessmentInviteBulkCreateApi(APIView):
    """Invites many candidates to one template: all of them, or none if any is wrong."""

    class CandidateInput(serializers.Serializer):
        email = serializers.CharField(max_length=254)
        name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)

    class InputSerializer(serializers.Serializer):
        template = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        candidates = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=invites.BULK_MAX_ROWS)

    @extend_schema(
        request=inline_serializer(
            "AssessmentInviteBulkInput",
            {
                "template": serializers.IntegerField(),
                "candidates": serializers.ListField(
                    child=inline_serializer(
                        "AssessmentInviteBulkCandidate",
                        {"email": serializers.EmailField(), "name": serializers.CharField(required=False)},
                    )
                ),
            },
        ),
        responses={
            201: AssessmentInviteOutput(many=True),
            400: error_response(
                "`invalid`: `fields.candidates` lists every bad or repeated line (1 = the first); nobody was invited."
            ),
            404: error_response("`not_found`: no such template."),
            429: error_response("`invite_daily_limit`: more than the organization's invitations left today; nobody was invited."),
            503: error_response("`queue_unavailable`: the emails could not be queued; nobody was invited."),
        },
    )
    def post(self, request: Request) -> Response:
        _require_inviter(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = selectors.templates_visible_to(request.user).filter(id=data.validated_data["template"]).first()
        if template is None:
            raise NotFoundError("no such template")
        pairs = []
        for item in data.validated_data["candidates"]:
            candidate = self.CandidateInput(data=item)
            candidate.is_valid(raise_exception=True)
            pairs.append((candidate.validated_data["email"], candidate.validated_data["name"]))
        candidates, errors = invites.invite_candidates_check(pairs)
        if errors:
            raise ApplicationError(
                f"{len(errors)} line{'s' if len(errors) != 1 else ''} cannot be invited, so nobody was",
                code="invalid",
                fields={"candidates": [str(error) for error in errors]},
            )
        made = invites.assessment_invites_bulk_create(invited_by=request.user, template=template, candidates=candidates)
        return Response(AssessmentInviteOutput(made, many=True).data, status=status.HTTP_201_CREATED)


class AssessmentInviteResendApi(APIView):
    """Emails a pending or expired invitation again with a new link (the old one stops working)."""

    @extend_schema(
        request=None,
        responses={
            200: AssessmentInviteOutput,
            404: error_response("`not_found`: no such invitation in your organization."),
            409: error_response(
                "`invite_not_resendable`: the invitation was used or revoked; "
                "`invite_send_limit`: it was sent the most times it may be."
            ),
            429: error_response("`invite_resend_too_soon`: it was sent less than a minute ago (the cooldown)."),
            503: error_response("`queue_unavailable`: not sent; the old link still works."),
        },
    )
    def post(self, request: Request, invite_id: int) -> Response:
        _require_inviter(request)
        invite, _ = invites.assessment_invite_resend(by=request.user, invite_id=invite_id)
        return Response(AssessmentInviteOutput(invite).data)


class AssessmentInviteRevokeApi(APIView):
    """Revokes a pending invitation: its link stops working."""

    @extend_schema(
        request=None,
        responses={
            200: AssessmentInviteOutput,
            404: error_response("`not_found`: no such invitation in your organization."),
            409: error_response("`invite_not_pending`: the invitation was used, expired or revoked already."),
        },
    )
    def post(self, request: Request, invite_id: int) -> Response:
        _require_inviter(request)
        invite = invites.assessment_invite_revoke(by=request.user, invite_id=invite_id)
        return Response(AssessmentInviteOutput(invite).data)


class AssessmentStartApi(APIView):
    """The invited candidate starts the assessment with the emailed token: once."""

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=200)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: SessionOutput,
            404: error_response("`invite_invalid`: no assessment link has this token."),
            410: error_response("`invite_used`, `invite_expired`, `invite_revoked`: the link was used, expired or revoked."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.assessment_start(token=data.validated_data["token"], candidate=request.user)
        return Response(session_payload(session), status=status.HTTP_201_CREATED)


class SessionDetailApi(APIView):
    """The interview as the candidate sees it, with the server's clock."""

    @extend_schema(responses=SessionOutput)
    def get(self, request: Request, session_id: int) -> Response:
        return Response(session_payload(_own_session_or_404(request, session_id)))


@extend_schema_field(
    {
        "description": "By the question's kind: coding, multiple choice, numeric or written.",
        "anyOf": [
            {"type": "object", "properties": {"source": {"type": "string"}}, "required": ["source"]},
            {
                "type": "object",
                "properties": {"selected": {"type": "array", "items": {"type": "string"}}},
                "required": ["selected"],
            },
            {"type": "object", "properties": {"value": {"type": "number", "nullable": True}}},
            {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        ],
    }
)
class AnswerPayloadField(serializers.JSONField):
    """An answer; interview.services checks it against its question's kind."""


class AnswerSaveApi(APIView):
    """Saves the answer to one question. Refused after the deadline (plus a few
    seconds' grace); a save older than the last one is ignored."""

    class InputSerializer(serializers.Serializer):
        payload = AnswerPayloadField()
        revision = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "AnswerSaved",
                {
                    "revision": serializers.IntegerField(),
                    "saved_at": serializers.DateTimeField(),
                    "payload": serializers.JSONField(),
                },
            ),
            409: SESSION_CLOSED,
            413: ANSWER_TOO_LARGE,
        },
    )
    def put(self, request: Request, session_id: int, position: int) -> Response:
        session = _own_session_or_404(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = services.answer_save(session=session, position=position, **data.validated_data)
        return Response({"revision": answer.revision, "saved_at": answer.saved_at, "payload": answer.payload})


class AnswerRunApi(APIView):
    """Runs code for a coding question: visible tests and custom input, not graded."""

    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, CodeRunThrottle]

    class InputSerializer(serializers.Serializer):
        source = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=256 * 1024)
        custom_input = serializers.JSONField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={202: SubmissionOutput, 409: SESSION_CLOSED})
    def post(self, request: Request, session_id: int, position: int) -> Response:
        session = _own_session_or_404(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.session_run_code(session=session, position=position, **data.validated_data)
        return Response(SubmissionOutput(submission).data, status=status.HTTP_202_ACCEPTED)


class AnswerSubmitApi(APIView):
    """Submits an answer. Code (``source``) becomes the answer (as a save would store it),
    then in practice it is graded on every test now (poll the submission); in an
    assessment it is kept for grading when the interview ends (answers 204). A written
    answer (``text``, in templates with follow-ups) is stored and no longer changes; the
    interviewer's follow-ups appear on the session (answers 200 with them)."""

    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, CodeSubmitThrottle]

    class InputSerializer(serializers.Serializer):
        source = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, max_length=256 * 1024, help_text="A coding answer."
        )
        text = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, max_length=256 * 1024, help_text="A written answer."
        )
        revision = serializers.IntegerField(
            min_value=1,
            max_value=MAX_ID,
            required=False,
            help_text="The answer's revision, as for a save (an older one leaves the newer saved answer); "
            "left out, the answer is stored as the next revision.",
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("source" in attrs) == ("text" in attrs):
                raise serializers.ValidationError("send `source` for code or `text` for a written answer")
            return attrs

    @extend_schema(
        request=InputSerializer,
        responses={
            202: SubmissionOutput,
            200: inline_serializer("WrittenAnswerSubmitted", {"question": serializers.DictField()}),
            204: None,
            409: error_response(
                "`session_closed`: time is up; `follow_ups_off`: this template takes written answers as saves; "
                "`answer_submitted`: submitted already, with other text."
            ),
            413: ANSWER_TOO_LARGE,
        },
    )
    def post(self, request: Request, session_id: int, position: int) -> Response:
        session = _own_session_or_404(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "text" in values:
            answer = services.written_answer_submit(
                session=session, position=position, payload={"text": values["text"]}, revision=values.get("revision")
            )
            answer = Answer.objects.select_related("session_question__question_version__question").get(id=answer.id)
            question = _with_follow_ups(_question_payload(answer.session_question, answer), answer, session, timezone.now())
            return Response({"question": question})
        submission = services.session_submit_code(
            session=session, position=position, source=values["source"], revision=values.get("revision")
        )
        if submission is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(SubmissionOutput(submission).data, status=status.HTTP_202_ACCEPTED)


class FollowUpReplyApi(APIView):
    """Saves the reply to a follow-up question while its time box is open. After it, the
    reply is kept but not graded (409 ``follow_up_closed``)."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=256 * 1024)
        revision = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("FollowUp", {"id": serializers.IntegerField(), "state": serializers.CharField()}),
            409: error_response("`follow_up_closed`: its time box is over; the reply was kept, not graded."),
            413: ANSWER_TOO_LARGE,
        },
    )
    def put(self, request: Request, session_id: int, follow_up_id: int) -> Response:
        session = _own_session_or_404(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow_up = services.follow_up_reply_save(session=session, follow_up_id=follow_up_id, **data.validated_data)
        return Response(follow_up_payload(follow_up, session))


class MarkdownPreviewApi(APIView):
    """Renders Markdown the way answers are shown: sanitized HTML."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=services.MAX_TEXT_CHARS)

    @extend_schema(request=InputSerializer, responses=inline_serializer("MarkdownPreview", {"html": serializers.CharField()}))
    def post(self, request: Request) -> Response:

        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"html": render_markdown(data.validated_data["text"])})


class IntegrityEventInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IntegrityEvent.Kind.choices)
    position = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True, default=None)
    chars = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False, default=0)
    at = serializers.DateTimeField()


class IntegrityEventsRecordApi(APIView):
    """The assessment page's record of pastes and copies (their size, never their
    text) and of the candidate leaving and coming back, sent in batches. Past the
    per-session maximum, events are accepted but dropped, and the drop is counted."""

    class InputSerializer(serializers.Serializer):
        events = serializers.ListField(child=IntegrityEventInput(), min_length=1, max_length=services.MAX_EVENTS_PER_BATCH)

    class OutputSerializer(serializers.Serializer):
        recorded = serializers.IntegerField()
        dropped = serializers.IntegerField()

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            409: error_response("`session_closed`: the interview is finished; `events_not_recorded`: a practice interview."),
        },
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = _own_session_or_404(request, session_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        recorded, dropped = services.integrity_events_record(session=session, events=data.validated_data["events"])
        return Response(self.OutputSerializer({"recorded": recorded, "dropped": dropped}).data)


class SessionFinishApi(APIView):
    """Finishes the interview now; every saved answer is graded."""

    @extend_schema(request=None, responses=SessionOutput)
    def post(self, request: Request, session_id: int) -> Response:
        session = services.session_candidate_finish(session=_own_session_or_404(request, session_id))
        return Response(session_payload(session))


def results_payload(session: InterviewSession) -> dict[str, Any]:
    """A finished practice session's results: per question its prompt, the answer beside
    the right one, how its score was computed, and the follow-ups asked on it with the
    replies and what they did (interview/presenters.py)."""
    from interview.presenters import answer_follow_ups_results, candidate_criterion

    questions = []
    for question in (
        session.questions.select_related("question_version__question", "answer__submission__question_version")
        .prefetch_related("answer__follow_ups")
        .order_by("position")
    ):
        answer = question.answer
        item = {
            "position": question.position,
            "title": question.question_version.title,
            "kind": question.question_version.question.kind,
            "prompt_html": question.question_version.prompt_html,
            "grade_status": answer.grade_status,
            "score": answer.score,
            "feedback": answer.feedback,
            "answer": answer.payload,
        }
        if answer.submission is not None:
            item["submission"] = SubmissionOutput(answer.submission).data
        item.update(
            question_review(
                kind=item["kind"],
                spec=question.question_version.spec,
                option_order=question.option_order,
                payload=answer.payload if isinstance(answer.payload, dict) else {},
                feedback=answer.feedback,
                score=answer.score,
                grade_status=answer.grade_status,
                submission=item.get("submission"),
            )
        )
        if item["kind"] == Kind.FREE_TEXT and isinstance(answer.feedback, dict):
            # The grader's own reasoning and key points stay with the recruiter: the candidate
            # learns from the rubric's descriptors and the exemplars (interview/presenters.py).
            coaching = written_coaching(question.question_version.spec, answer.feedback)
            advice = {c["id"]: c for c in coaching["criteria"]} if coaching else {}
            item["feedback"] = {
                **answer.feedback,
                "criteria": [
                    {
                        **candidate_criterion(c),
                        "strong": advice.get(c["id"], {}).get("strong", ""),
                        "stronger": advice.get(c["id"], {}).get("stronger", ""),
                        "stronger_level": advice.get(c["id"], {}).get("stronger_level"),
                    }
                    for c in answer.feedback.get("criteria", [])
                ],
            }
            item["coaching"] = coaching
        item.update(
            answer_follow_ups_results(answer, kind=item["kind"], spec=question.question_version.spec, feedback=answer.feedback)
        )
        questions.append(item)
    graded = all(q["grade_status"] == Answer.GradeStatus.GRADED for q in questions) and session.score is not None
    return {
        "id": session.id,
        "template": session.template.title,
        "status": session.status,
        "score": session.score,
        "score_display": points(session.score),
        "score_explanation": session_score_explained(
            [q["score"] if q["grade_status"] == Answer.GradeStatus.GRADED else None for q in questions], session.score
        ),
        "graded": graded,
        # A coding follow-up's reply still being graded: never in the score, but the page waits for it.
        "follow_ups_pending": any(q.get("follow_ups_state") == "pending" for q in questions),
        "finish_reason": session.finish_reason,
        "questions": questions,
        "labels": display_names(),
    }


class SessionResultsApi(APIView):
    """Practice: full feedback once finished. Assessments: candidates see no scores.

    ``?wait=N`` (0 to 25 s) is a long poll: the answer waits until the session's grades
    change (pushed on its grading channel, config/notify.py) or N seconds pass, and comes
    at once when everything is graded. ``since`` is the ``grading_state`` of the results
    last read: when the grades changed since then, the answer comes at once too."""

    class WaitInput(serializers.Serializer):
        wait = serializers.FloatField(
            required=False, min_value=0, max_value=25, help_text="seconds to wait for a change of the grades"
        )
        since = serializers.CharField(required=False, help_text="the `grading_state` of the results last read")

    @extend_schema(
        parameters=[WaitInput],
        responses={
            200: inline_serializer(
                "SessionResults",
                {
                    "score": serializers.FloatField(allow_null=True),
                    "questions": serializers.ListField(child=serializers.DictField()),
                    "grading_state": serializers.CharField(help_text="changes whenever a grade does"),
                },
            ),
            409: error_response("`session_in_progress`: finish the interview to see the results."),
        },
    )
    def get(self, request: Request, session_id: int) -> Response:
        from config.notify import notify_wait
        from grading.apis import long_poll_wait
        from interview.services.scoring import session_grading_channel

        wait = long_poll_wait(request)
        session = _own_session_or_404(request, session_id)
        if session.mode == InterviewSession.Mode.ASSESSMENT:
            raise ForbiddenError("results of an assessment go to the recruiter who invited you", code="results_hidden")
        if session.status != InterviewSession.Status.FINISHED:
            raise ConflictError("finish the interview to see the results", code="session_in_progress")
        since = request.query_params.get("since") or None
        reads = 0

        def read() -> dict[str, Any]:
            nonlocal reads
            if reads:
                session.refresh_from_db(fields=["score"])
            reads += 1
            payload = results_payload(session)
            return {**payload, "grading_state": self._grading_state(payload)}

        def done(payload: dict[str, Any]) -> bool:
            nonlocal since
            if payload["graded"] and not payload.get("follow_ups_pending"):
                return True
            if since is None:  # no state given: a change from what this request first read
                since = payload["grading_state"]
                return False
            return payload["grading_state"] != since

        return Response(notify_wait(session_grading_channel(session.id), read=read, done=done, timeout=wait))

    @staticmethod
    def _grading_state(payload: dict[str, Any]) -> str:
        """A short digest of what the results page shows of the grading."""
        import hashlib
        import json

        seen = [
            payload.get("score"),
            payload.get("graded"),
            payload.get("follow_ups_pending"),
            [
                [
                    q.get("position"),
                    q.get("grade_status"),
                    q.get("score"),
                    q.get("follow_ups_state", ""),
                    q["feedback"].get("grade_id") if isinstance(q.get("feedback"), dict) else None,
                ]
                for q in payload.get("questions", [])
            ],
        ]
        return hashlib.sha256(json.dumps(seen, default=str).encode()).hexdigest()[:16]
