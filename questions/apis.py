"""The question bank over the REST API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Pagination, reject_unknown_params
from config.errors import ForbiddenError, NotFoundError
from questions import presenters, selectors
from questions.bank_format import Difficulty, Kind, Track
from questions.models import Question


class QuestionSummaryOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField(source="current_version.title")
    track = serializers.CharField()
    kind = serializers.CharField()
    difficulty = serializers.CharField(source="current_version.difficulty")
    topics = serializers.SerializerMethodField()
    time_estimate_minutes = serializers.IntegerField(source="current_version.time_estimate_minutes")
    version = serializers.IntegerField(source="current_version.number")
    organization = serializers.SerializerMethodField()

    def get_topics(self, question: Question) -> list[str]:
        return [t.slug for t in question.current_version.topics.all()]

    def get_organization(self, question: Question) -> str | None:
        return question.organization.slug if question.organization_id else None


class QuestionListApi(APIView):
    """Questions the signed-in user may see, filtered and paginated."""

    pagination_class = Pagination  # so that the schema shows the paginated shape

    class FilterSerializer(serializers.Serializer):
        track = serializers.ChoiceField(choices=[t.value for t in Track], required=False)
        kind = serializers.ChoiceField(choices=[k.value for k in Kind], required=False)
        difficulty = serializers.ChoiceField(choices=[d.value for d in Difficulty], required=False)
        topic = serializers.SlugField(max_length=40, required=False)
        search = serializers.CharField(max_length=100, required=False, help_text="Words in the title.")
        owner = serializers.ChoiceField(choices=["public", "organization"], required=False)

    @extend_schema(parameters=[FilterSerializer], responses=QuestionSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        reject_unknown_params(request, self.FilterSerializer().fields)
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        questions = selectors.question_list(user=request.user, filters=filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(questions, request, view=self)
        return paginator.get_paginated_response(QuestionSummaryOutput(page, many=True).data)


class QuestionDetailOutput(QuestionSummaryOutput):
    prompt_markdown = serializers.CharField(source="current_version.prompt_markdown")
    prompt_html = serializers.CharField(source="current_version.prompt_html")
    content = serializers.SerializerMethodField(help_text="What a candidate may see of the kind-specific content.")

    def get_content(self, question: Question) -> dict:
        return presenters.candidate_content(question.current_version)


def _question_or_404(request: Request, question_id: int) -> Question:
    question = selectors.question_get(user=request.user, question_id=question_id)
    if question is None:
        raise NotFoundError("no such question")
    return question


class QuestionDetailApi(APIView):
    """One question as a candidate sees it: no hidden tests, solutions, answers or rubric."""

    @extend_schema(responses=QuestionDetailOutput)
    def get(self, request: Request, question_id: int) -> Response:
        return Response(QuestionDetailOutput(_question_or_404(request, question_id)).data)


class QuestionAnswerKeyApi(APIView):
    """Recruiters and staff: the full content of the current version, answers included."""

    @extend_schema(
        responses=inline_serializer(
            "AnswerKey",
            {
                "id": serializers.IntegerField(),
                "version": serializers.IntegerField(),
                "kind": serializers.CharField(),
                "answer_key": serializers.JSONField(),
            },
        )
    )
    def get(self, request: Request, question_id: int) -> Response:
        question = _question_or_404(request, question_id)
        if not (request.user.is_recruiter or request.user.is_staff):
            raise ForbiddenError("only recruiters and staff can see answer keys")
        return Response(
            {
                "id": question.id,
                "version": question.current_version.number,
                "kind": question.kind,
                "answer_key": presenters.answer_key(question.current_version),
            }
        )


class TopicListApi(APIView):
    class OutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        questions = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.topic_list(user=request.user), many=True).data)
