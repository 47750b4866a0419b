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
        # Subscribes to ticket events and adds its panels to the ticket page; tickets never
        # imports feedback.
        from feedback import handlers  # noqa: F401
        from feedback.panels import csat_panel, feedback_links_panel, profile_panel
        from tickets.workspace import panels

        panels.register(csat_panel)
        panels.register(feedback_links_panel)
        panels.register_profile(profile_panel)
