from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from feedback.events import KINDS
        from feedback.models import FeedbackEvent
        from support import events

        # Feedback's announcements are a table of the one event stream.
        events.register(FeedbackEvent, kinds=KINDS)
        # Subscribes to ticket events (tickets never imports feedback) and to its own.
        from feedback import handlers  # noqa: F401
