from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import TemplateDoesNotExist, loader
from django.urls import include, path, register_converter
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import apis as accounts_apis
from accounts import views as accounts_views
from accounts import webhook_apis
from config.converters import IdConverter
from config.errors import error_body
from grading import apis as grading_apis
from interview import apis as interview_apis
from interview import progress_views
from interview import views as interview_views
from questions import apis as questions_apis
from questions import views as questions_views
from review import apis as review_apis
from review import report_views
from review.dashboard_apis import DashboardCompareApi, DashboardListApi
from review.dashboard_views import dashboard_compare_page, dashboard_page

# Ids in paths are bounded (config/converters.py): registered before any route uses them.
register_converter(IdConverter, "id")

api_patterns = [
    path("auth/signup/", accounts_apis.SignUpApi.as_view(), name="signup"),
    path("auth/token/", accounts_apis.TokenCreateApi.as_view(), name="token-create"),
    path("auth/token/delete/", accounts_apis.TokenDeleteApi.as_view(), name="token-delete"),
    path("me/", accounts_apis.MeApi.as_view(), name="me"),
    path("organization/", accounts_apis.OrganizationDetailApi.as_view(), name="organization"),
    path("organization/invites/", accounts_apis.InviteListCreateApi.as_view(), name="invites"),
    path("organization/invites/<id:invite_id>/revoke/", accounts_apis.InviteRevokeApi.as_view(), name="invite-revoke"),
    path("organization/webhooks/", webhook_apis.WebhookEndpointListCreateApi.as_view(), name="webhooks"),
    path("organization/webhooks/<id:endpoint_id>/", webhook_apis.WebhookEndpointDeleteApi.as_view(), name="webhook"),
    path(
        "organization/webhooks/<id:endpoint_id>/rotate-secret/",
        webhook_apis.WebhookSecretRotateApi.as_view(),
        name="webhook-rotate-secret",
    ),
    path(
        "organization/webhooks/<id:endpoint_id>/deliveries/",
        webhook_apis.WebhookDeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
    path(
        "organization/webhooks/deliveries/<id:delivery_id>/redeliver/",
        webhook_apis.WebhookRedeliverApi.as_view(),
        name="webhook-redeliver",
    ),
    path("invites/accept/", accounts_apis.InviteAcceptApi.as_view(), name="invite-accept"),
    path("questions/", questions_apis.QuestionListApi.as_view(), name="question-list"),
    path("questions/<id:question_id>/", questions_apis.QuestionDetailApi.as_view(), name="question-detail"),
    path("questions/<id:question_id>/answer-key/", questions_apis.QuestionAnswerKeyApi.as_view(), name="question-answer-key"),
    path("topics/", questions_apis.TopicListApi.as_view(), name="topic-list"),
    path("submissions/", grading_apis.SubmissionCreateApi.as_view(), name="submission-create"),
    path("submissions/<id:submission_id>/", grading_apis.SubmissionDetailApi.as_view(), name="submission-detail"),
    path("templates/", interview_apis.TemplateListCreateApi.as_view(), name="templates"),
    path("templates/<id:template_id>/", interview_apis.TemplateDetailApi.as_view(), name="template"),
    path("templates/<id:template_id>/duplicate/", interview_apis.TemplateDuplicateApi.as_view(), name="template-duplicate"),
    path("templates/<id:template_id>/start/", interview_apis.PracticeStartApi.as_view(), name="practice-start"),
    path("assessments/invites/", interview_apis.AssessmentInviteCreateApi.as_view(), name="assessment-invites"),
    path("assessments/invites/bulk/", interview_apis.AssessmentInviteBulkCreateApi.as_view(), name="assessment-invites-bulk"),
    path(
        "assessments/invites/<id:invite_id>/resend/",
        interview_apis.AssessmentInviteResendApi.as_view(),
        name="assessment-invite-resend",
    ),
    path(
        "assessments/invites/<id:invite_id>/revoke/",
        interview_apis.AssessmentInviteRevokeApi.as_view(),
        name="assessment-invite-revoke",
    ),
    path("assessments/start/", interview_apis.AssessmentStartApi.as_view(), name="assessment-start"),
    path("sessions/<id:session_id>/", interview_apis.SessionDetailApi.as_view(), name="session"),
    path("sessions/<id:session_id>/answers/<id:position>/", interview_apis.AnswerSaveApi.as_view(), name="answer-save"),
    path("sessions/<id:session_id>/answers/<id:position>/run/", interview_apis.AnswerRunApi.as_view(), name="answer-run"),
    path(
        "sessions/<id:session_id>/answers/<id:position>/submit/", interview_apis.AnswerSubmitApi.as_view(), name="answer-submit"
    ),
    path(
        "sessions/<id:session_id>/follow-ups/<id:follow_up_id>/",
        interview_apis.FollowUpReplyApi.as_view(),
        name="follow-up-reply",
    ),
    path("markdown/preview/", interview_apis.MarkdownPreviewApi.as_view(), name="markdown-preview"),
    path("sessions/<id:session_id>/finish/", interview_apis.SessionFinishApi.as_view(), name="session-finish"),
    path("sessions/<id:session_id>/events/", interview_apis.IntegrityEventsRecordApi.as_view(), name="session-events"),
    path("sessions/<id:session_id>/results/", interview_apis.SessionResultsApi.as_view(), name="session-results"),
    path("reviews/", review_apis.ReviewQueueApi.as_view(), name="reviews"),
    path("reports/<id:session_id>/", review_apis.SessionReportApi.as_view(), name="report"),
    path("reports/<id:session_id>/pdf/", review_apis.SessionReportPdfApi.as_view(), name="report-pdf"),
    path("cohorts/<id:template_id>/csv/", review_apis.CohortCsvApi.as_view(), name="cohort-csv"),
    path("dashboard/", DashboardListApi.as_view(), name="dashboard"),
    path("dashboard/compare/", DashboardCompareApi.as_view(), name="dashboard-compare"),
    path("grades/<id:grade_id>/", review_apis.GradeDetailApi.as_view(), name="grade"),
    path("grades/<id:grade_id>/overrides/", review_apis.GradeOverrideApi.as_view(), name="grade-override"),
    path("grades/<id:grade_id>/regrade/", review_apis.GradeRegradeApi.as_view(), name="grade-regrade"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]


urlpatterns = [
    path("", interview_views.home, name="home"),
    path("questions/", questions_views.question_list, name="questions"),
    path("questions/<id:question_id>/", questions_views.question_detail, name="question"),
    path("questions/<id:question_id>/practise/", progress_views.question_practice_start, name="question-practice-start"),
    path("progress/", progress_views.progress_page, name="progress"),
    path("practice/", interview_views.practice, name="practice"),
    # Templates: list, new, edit, duplicate, archive, preview (interview/template_urls.py).
    path("templates/", include("interview.template_urls")),
    path("practice/<id:template_id>/start/", interview_views.practice_start, name="practice-start"),
    path("sessions/<id:session_id>/", interview_views.session_page, name="session"),
    path("sessions/<id:session_id>/results/", interview_views.session_results, name="session-results"),
    path("assess/<str:token>/", interview_views.assessment_landing, name="assess"),
    path("dashboard/", dashboard_page, name="dashboard"),
    path("dashboard/compare/", dashboard_compare_page, name="dashboard-compare"),
    # Candidate invitations and exports (review/dashboard_urls.py).
    path("dashboard/", include("review.dashboard_urls")),
    # Flagged and pending answers (review/review_queue_urls.py).
    path("reviews/", include("review.review_queue_urls")),
    # Settings, team and webhooks of the signed-in recruiter's organization (review/organization_urls.py).
    path("organization/", include("review.organization_urls")),
    path("reports/<id:session_id>/", report_views.report_page, name="report"),
    path("reports/<id:session_id>/pdf/", report_views.report_pdf, name="report-pdf"),
    path("reports/<id:session_id>/grades/<id:grade_id>/override/", report_views.report_override, name="report-override"),
    path("signup/", accounts_views.sign_up, name="signup"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invites/<str:token>/", accounts_views.invite_accept, name="invite"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
]


# Error answers for what no view handled (an unknown path, an unhandled exception, a
# PermissionDenied outside DRF). With DEBUG off Django calls these instead of its
# technical pages, so no traceback or URL list reaches a client: the API answers in its
# JSON error shape (config/errors.py), pages with the site's templates.


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("bad_request", "The request could not be understood."), status=400)
    return defaults.bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("permission_denied", "You do not have permission to do this."), status=403)
    return defaults.permission_denied(request, exception)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", "There is no such API endpoint or object."), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("server_error", "Something went wrong on our side. Try again later."), status=500)
    # Rendered without the request, so no context processor runs: the page must show even
    # when what failed was the database or the session. Only the request id (from
    # config.logging, set before anything else ran) goes in, for the user to quote.
    try:
        template = loader.get_template("500.html")
    except TemplateDoesNotExist:
        return HttpResponseServerError("<h1>Server Error (500)</h1>")
    return HttpResponseServerError(template.render({"request_id": getattr(request, "request_id", "")}))
