from django.apps import AppConfig


class InterviewConfig(AppConfig):
    """Interview templates, timed sessions, answers, finishing, integrity events and the
    candidate's pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "interview"

    def ready(self) -> None:
        from config import metrics
        from interview import gauges, receivers

        receivers.connect()
        metrics.database_gauges_register(gauges.database_gauges)
