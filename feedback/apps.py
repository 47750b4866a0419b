from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Subscribes to ticket events; tickets never imports feedback.
        from feedback import handlers  # noqa: F401
