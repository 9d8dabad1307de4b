"""The recruiter's dashboard over the REST API: the list of invites and interviews, and comparison."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import MAX_ID, Pagination, reject_unknown_params
from config.errors import ForbiddenError
from config.schema import error_response
from review import dashboard


class DashboardFilterSerializer(serializers.Serializer):
    """The dashboard's filters and sort; the web page validates its form with it too."""

    template = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="A template id.")
    status = serializers.ChoiceField(choices=dashboard.STATUSES, required=False)
    score_min = serializers.FloatField(min_value=0, max_value=100, required=False)
    score_max = serializers.FloatField(min_value=0, max_value=100, required=False)
    date_from = serializers.DateField(required=False, help_text="YYYY-MM-DD, included.")
    date_to = serializers.DateField(required=False, help_text="YYYY-MM-DD, included.")
    # allow_null: an absent parameter means "any", not False (DRF's default for form data).
    flagged = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only rows with similarity flags; false: only without."
    )
    sort = serializers.ChoiceField(choices=dashboard.SORTS, required=False, default="-date")

    def validate_date_to(self, value: date) -> date:
        # The filter runs to the start of the next day: the last day a date can hold has none.
        if value >= date.max:
            raise serializers.ValidationError(f"must be before {date.max.isoformat()}")
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("score_min") is not None and data.get("score_max") is not None and data["score_min"] > data["score_max"]:
            raise serializers.ValidationError({"score_max": ["must not be below score_min"]})
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": ["must not be before date_from"]})
        return data


class DashboardRowOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["invite", "session"])
    session = serializers.IntegerField(allow_null=True, help_text="The interview, for its report; empty for an invite.")
    invite = serializers.IntegerField(allow_null=True)
    candidate_name = serializers.CharField()
    candidate_email = serializers.EmailField()
    template = serializers.IntegerField()
    template_title = serializers.CharField()
    status = serializers.ChoiceField(choices=dashboard.STATUSES)
    score = serializers.FloatField(allow_null=True)
    date = serializers.DateTimeField(help_text="Invite created, interview started (in progress) or finished.")
    similarity_flags = serializers.IntegerField()
    integrity_events = serializers.IntegerField(help_text="Pastes and departures from the page the assessment recorded.")
    finish_reason = serializers.CharField(help_text="'expired' when time ran out.")


def _require_reviewer(request: Request) -> None:
    if not (request.user.is_recruiter or request.user.is_staff):
        raise ForbiddenError("only recruiters see the dashboard")


class DashboardListApi(APIView):
    """The organization's assessment invites and interviews as one list, filtered and sorted."""

    pagination_class = Pagination  # so that the schema shows the paginated shape

    @extend_schema(parameters=[DashboardFilterSerializer], responses=DashboardRowOutput(many=True))
    def get(self, request: Request) -> Response:
        _require_reviewer(request)
        reject_unknown_params(request, DashboardFilterSerializer().fields)
        filters = DashboardFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = dashboard.dashboard_rows(request.user, **filters.validated_data)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DashboardRowOutput(page, many=True).data)


class CompareIntegrityOutput(serializers.Serializer):
    pastes = serializers.IntegerField()
    focus_losses = serializers.IntegerField()
    seconds_away = serializers.FloatField()
    signals = serializers.IntegerField(help_text="Unusual patterns worth a look (see the report).")


class CompareCandidateOutput(serializers.Serializer):
    session = serializers.IntegerField()
    candidate = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="email and name")
    template = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    finished_at = serializers.DateTimeField()
    finish_reason = serializers.CharField()
    minutes_used = serializers.FloatField(allow_null=True)
    similarity_flags = serializers.IntegerField()
    integrity = CompareIntegrityOutput(allow_null=True, help_text="From the report's integrity events, if recorded.")
    strengths = serializers.ListField(child=serializers.CharField(), help_text="Topics scored 70 or more, best first.")
    weaknesses = serializers.ListField(child=serializers.CharField(), help_text="Topics scored under 50, worst first.")


class CompareScoreRowOutput(serializers.Serializer):
    name = serializers.CharField()
    scores = serializers.ListField(child=serializers.FloatField(allow_null=True), help_text="One per candidate, in order.")


class CompareCellOutput(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    grade_status = serializers.CharField()


class CompareQuestionOutput(serializers.Serializer):
    section = serializers.CharField()
    number = serializers.IntegerField(help_text="The row's place within its section.")
    title = serializers.CharField(allow_null=True, help_text="Set when every candidate had the same question here.")
    cells = serializers.ListField(
        child=CompareCellOutput(allow_null=True), help_text="One per candidate; empty when they had no question here."
    )


class CompareOutput(serializers.Serializer):
    same_template = serializers.BooleanField()
    candidates = CompareCandidateOutput(many=True)
    sections = CompareScoreRowOutput(many=True)
    tracks = CompareScoreRowOutput(many=True)
    questions = CompareQuestionOutput(many=True)


class CompareFilterSerializer(serializers.Serializer):
    session = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), help_text="2 to 4 finished interviews."
    )


class DashboardCompareApi(APIView):
    """Two to four finished interviews side by side: scores by section, track and question."""

    @extend_schema(
        parameters=[
            OpenApiParameter("session", int, many=True, explode=True, required=True, description="2 to 4 finished interviews.")
        ],
        responses={
            200: CompareOutput,
            404: error_response("`not_found`: an interview that is not there, or not your organization's."),
        },
    )
    def get(self, request: Request) -> Response:
        _require_reviewer(request)
        reject_unknown_params(request, CompareFilterSerializer().fields)
        data = CompareFilterSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        comparison = dashboard.sessions_compare(request.user, session_ids=data.validated_data["session"])
        return Response(CompareOutput(comparison).data)
