from django.apps import AppConfig


class InterviewConfig(AppConfig):
    """Interview templates, timed sessions and the candidate's pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interview"
