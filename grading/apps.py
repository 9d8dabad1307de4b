from django.apps import AppConfig


class GradingConfig(AppConfig):
    """Verdicts into scores, rubric grading, recruiter reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "grading"
