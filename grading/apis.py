"""Runs and submissions of code over the REST API."""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from config.api import MAX_ID, reject_unknown_params
from config.errors import ApplicationError, NotFoundError
from config.limits import CodeRunThrottle, CodeSubmitThrottle
from config.notify import notify_wait
from config.schema import error_response
from grading import selectors, services
from grading.models import Submission
from questions.selectors import question_get
from sandbox.jobs import candidate_view

MAX_WAIT_SECONDS = 25


def long_poll_wait(request: Request) -> float:
    """A long poll's ``?wait=N``: seconds from 0 (the default: answer at once) to 25 (more is 25)."""
    try:
        wait = float(request.query_params.get("wait", 0))
    except ValueError:
        wait = -1
    # "nan" and "inf" parse as floats: a NaN deadline would hold the request forever.
    if not 0 <= wait <= MAX_WAIT_SECONDS:
        if math.isfinite(wait) and wait > MAX_WAIT_SECONDS:
            wait = MAX_WAIT_SECONDS
        else:
            wait = -1
    if wait < 0:
        raise ApplicationError("wait must be a number of seconds from 0 to 25", code="invalid", fields={"wait": ["invalid"]})
    return wait


def _submission_over(submission: Submission) -> bool:
    return submission.status in (Submission.Status.FINISHED, Submission.Status.ERROR)


def _result_for(submission: Submission, *, everything: bool) -> dict[str, Any] | None:
    if submission.result is None:
        return None
    view = candidate_view(submission.result)
    if everything:
        # Staff and recruiters: every detail of every test, with the same summary.
        return {**submission.result, "hidden_summary": view["hidden_summary"]}
    return view


class SubmissionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    question = serializers.IntegerField(source="question_version.question_id")
    question_version = serializers.IntegerField(source="question_version.number")
    mode = serializers.CharField()
    status = serializers.CharField()
    status_message = serializers.CharField()
    verdict = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    result = serializers.SerializerMethodField()

    def get_result(self, submission: Submission) -> dict | None:
        return _result_for(submission, everything=self.context.get("everything", False))


class SubmissionCreateApi(APIView):
    """Runs code on a coding question: ``run`` (visible tests and optional custom input,
    not graded) or ``submit`` (all tests, graded). Answers 202; poll the submission."""

    # Each mode spends the same budget as the interview's Run and Submit buttons.
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, CodeRunThrottle, CodeSubmitThrottle]

    def code_action(self, request: Request) -> str:
        data = request.data
        return "submit" if isinstance(data, dict) and data.get("mode") == Submission.Mode.SUBMIT else "run"

    class InputSerializer(serializers.Serializer):
        question = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        mode = serializers.ChoiceField(choices=Submission.Mode.values)
        source = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=256 * 1024)
        custom_input = serializers.JSONField(required=False, allow_null=True)

    @extend_schema(
        request=InputSerializer, responses={202: SubmissionOutput, 404: error_response("`not_found`: no such question.")}
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        question = question_get(user=request.user, question_id=fields["question"])
        if question is None:
            raise NotFoundError("no such question")
        submission = services.submission_create(
            user=request.user,
            question=question,
            source=fields["source"],
            mode=fields["mode"],
            custom_input=fields.get("custom_input"),
        )
        output = SubmissionOutput(submission, context={"everything": selectors.submission_sees_everything(user=request.user)})
        return Response(output.data, status=status.HTTP_202_ACCEPTED)


class SubmissionDetailApi(APIView):
    """A submission's status and result. ``?wait=N`` holds the answer up to N seconds
    (at most 25) until it is finished: a long poll, answered as soon as the result is stored."""

    @extend_schema(
        parameters=[OpenApiParameter("wait", float, description="seconds to wait for a result")], responses=SubmissionOutput
    )
    def get(self, request: Request, submission_id: int) -> Response:
        reject_unknown_params(request, ["wait"])
        wait = long_poll_wait(request)

        def read() -> Submission:
            submission = selectors.submission_get(user=request.user, submission_id=submission_id)
            if submission is None:
                raise NotFoundError("no such submission")
            return submission

        # Pushed, not polled: the worker that stores the result announces it on the
        # submission's channel (config/notify.py), which wakes this wait.
        submission = notify_wait(services.submission_channel(submission_id), read=read, done=_submission_over, timeout=wait)
        output = SubmissionOutput(submission, context={"everything": selectors.submission_sees_everything(user=request.user)})
        return Response(output.data)
