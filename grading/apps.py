from django.apps import AppConfig


class GradingConfig(AppConfig):
    """The grading core: code submissions in the sandbox, objective scoring, rubric grading."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "grading"
