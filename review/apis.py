"""Human review of rubric grades: the queue, a grade's full record, overrides, re-grading."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from config.schema import error_response
from grading import rubric_services
from grading.models import AnswerGrade
from grading.rubric import PROMPT_VERSION, rubric_hash
from interview import services as interview_services
from interview.models import InterviewSession
from review import exports, selectors
from review.reports import session_report, sessions_for_recruiter


class OverrideOutput(serializers.Serializer):
    criterion_id = serializers.CharField()
    level = serializers.IntegerField()
    comment = serializers.CharField()
    by = serializers.EmailField(source="by.email", allow_null=True)
    created_at = serializers.DateTimeField()


class GradeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    answer = serializers.IntegerField(source="answer_id")
    part = serializers.CharField(help_text='"" for the question\'s rubric; "follow_up" for a coding follow-up reply\'s')
    session = serializers.IntegerField(source="answer.session_question.session_id")
    question = serializers.CharField(source="answer.session_question.question_version.title")
    candidate = serializers.EmailField(source="answer.session_question.session.candidate.email")
    grader = serializers.CharField()
    model = serializers.CharField()
    status = serializers.CharField()
    review_reasons = serializers.ListField(child=serializers.CharField())
    criteria = serializers.ListField(child=serializers.DictField())
    effective_levels = serializers.SerializerMethodField()
    machine_score = serializers.FloatField(allow_null=True)
    score = serializers.SerializerMethodField()
    injection_suspected = serializers.BooleanField()
    outdated = serializers.SerializerMethodField()
    cached = serializers.BooleanField()
    prompt_tokens = serializers.IntegerField()
    completion_tokens = serializers.IntegerField()
    cost_usd = serializers.DecimalField(max_digits=10, decimal_places=6)
    seconds = serializers.FloatField()
    overrides = OverrideOutput(many=True)
    created_at = serializers.DateTimeField()

    def get_effective_levels(self, grade: AnswerGrade) -> dict[str, int]:
        return rubric_services.effective_levels(grade)

    def get_score(self, grade: AnswerGrade) -> float | None:
        """The grade's score on its own rubric (a coding follow-up's is never the question's)."""
        return rubric_services.grade_score(grade, rubric_services.grade_rubric(grade))

    def get_outdated(self, grade: AnswerGrade) -> bool:
        """Graded with an older prompt, or the rubric it used (the question's, or its
        follow-up's) changed since."""
        current = grade.answer.session_question.question_version.question.current_version
        if grade.prompt_version != PROMPT_VERSION or current is None:
            return grade.prompt_version != PROMPT_VERSION
        if grade.part == rubric_services.FOLLOW_UP_PART:
            spec = current.spec
            return "follow_up" not in spec or rubric_hash(rubric_services.follow_up_rubric(spec)) != grade.rubric_hash
        return rubric_hash(current.spec) != grade.rubric_hash


class GradeDetailOutput(GradeOutput):
    answer_text = serializers.SerializerMethodField()
    prompt = serializers.ListField(child=serializers.DictField())
    raw_completions = serializers.ListField(child=serializers.DictField())

    def get_answer_text(self, grade: AnswerGrade) -> str:
        """What was graded: the written answer, or the reply to a coding follow-up."""
        if grade.part == rubric_services.FOLLOW_UP_PART:
            return grade.answer_text
        payload = grade.answer.payload if isinstance(grade.answer.payload, dict) else {}
        return str(payload.get("text", "") or "")


def _require_reviewer(request: Request) -> None:
    if not (request.user.is_recruiter or request.user.is_staff):
        raise ForbiddenError("only recruiters review grades")


class ReviewQueueApi(APIView):
    """Grades a human should look at: flagged ones (injection, inconsistency, invalid
    output, unreadable answers), newest first."""

    @extend_schema(responses=GradeOutput(many=True))
    def get(self, request: Request) -> Response:
        _require_reviewer(request)
        # The page at /reviews/ reads the same answers through selectors.review_queue.
        grades = selectors.grades_needing_review(user=request.user)
        return Response(GradeOutput(grades[:200], many=True).data)


class GradeDetailApi(APIView):
    """One grade with everything behind it: prompt, raw completions, tokens, cost."""

    @extend_schema(responses=GradeDetailOutput)
    def get(self, request: Request, grade_id: int) -> Response:
        _require_reviewer(request)
        return Response(GradeDetailOutput(selectors.grade_for_reviewer(user=request.user, grade_id=grade_id)).data)


class GradeOverrideApi(APIView):
    """Sets one criterion's level, with a comment. The machine's level stays on record."""

    class InputSerializer(serializers.Serializer):
        criterion = serializers.CharField(max_length=40)
        level = serializers.IntegerField()
        comment = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={201: GradeOutput})
    def post(self, request: Request, grade_id: int) -> Response:
        _require_reviewer(request)
        grade = selectors.grade_for_reviewer(user=request.user, grade_id=grade_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rubric_services.grade_override(
            grade=grade,
            user=request.user,
            criterion_id=data.validated_data["criterion"],
            level=data.validated_data["level"],
            comment=data.validated_data["comment"],
        )
        grade.refresh_from_db()
        return Response(GradeOutput(grade).data, status=status.HTTP_201_CREATED)


class GradeRegradeApi(APIView):
    """Grades the answer again (after a rubric or prompt change); the old grade stays on record."""

    @extend_schema(
        request=None,
        responses={202: None, 409: error_response("`regrade_unsupported`: a coding follow-up's grade is not re-graded here.")},
    )
    def post(self, request: Request, grade_id: int) -> Response:
        _require_reviewer(request)
        grade = selectors.grade_for_reviewer(user=request.user, grade_id=grade_id)
        if grade.part == rubric_services.FOLLOW_UP_PART:
            # answer_regrade grades a written answer; the follow-up's reply has its own grader.
            raise ConflictError(
                "a coding follow-up's grade cannot be re-graded; set its levels with an override instead",
                code="regrade_unsupported",
            )
        interview_services.answer_regrade(answer_id=grade.answer_id)
        return Response(status=status.HTTP_202_ACCEPTED)


REPORT_IN_PROGRESS = error_response("`session_in_progress`: the report comes when the interview ends.")


def _finished_report_session(request: Request, session_id: int) -> InterviewSession:
    session = sessions_for_recruiter(request.user).filter(id=session_id).first()
    if session is None:
        raise NotFoundError("no such report")
    if session.status != InterviewSession.Status.FINISHED:
        raise ApplicationError(
            "the interview is still in progress: its report comes when it ends", code="session_in_progress", status_code=409
        )
    return session


class SessionReportApi(APIView):
    """A finished interview's report, for recruiters of the candidate's organization."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 409: REPORT_IN_PROGRESS})
    def get(self, request: Request, session_id: int) -> Response:
        return Response(session_report(_finished_report_session(request, session_id)))


class SessionReportPdfApi(APIView):
    """The same report as a PDF, charts included."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 409: REPORT_IN_PROGRESS})
    def get(self, request: Request, session_id: int) -> HttpResponse:
        from review.report_pdf import report_pdf_response

        return report_pdf_response(_finished_report_session(request, session_id))


class CohortCsvApi(APIView):
    """All sessions of one template in the recruiter's organization, as CSV (the dashboard's
    export columns, review.exports)."""

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            404: error_response("`not_found`: no such template; `empty_cohort`: no assessments of it in your organization yet."),
        }
    )
    def get(self, request: Request, template_id: int) -> Response:
        _require_reviewer(request)
        sessions = sessions_for_recruiter(request.user).filter(template_id=template_id, mode="assessment")
        if not sessions.exists():
            raise ApplicationError(
                "no assessments of this template in your organization yet", code="empty_cohort", status_code=404
            )
        table = exports.export_table(sessions.order_by("started_at", "id"))
        response = HttpResponse(exports.table_csv(table), content_type="text/csv; charset=utf-8")
        slug = sessions.first().template.slug
        response["Content-Disposition"] = f'attachment; filename="cohort-{slug}-{timezone.now():%Y-%m-%d}.csv"'
        response["X-Export-Rows"] = str(len(table.rows))
        response["X-Export-Truncated"] = "true" if table.truncated else "false"
        return response
