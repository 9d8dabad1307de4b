from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """What recruiters read and decide: reports, the dashboard, comparison, cohort
    statistics, the review queue and overrides, similarity flags and exports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "review"

    def ready(self) -> None:
        from review import receivers

        receivers.connect()
