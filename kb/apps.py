from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self) -> None:
        # Hears public replies (which articles an agent sent) and adds the article search to the
        # agent's ticket page; tickets never imports kb.
        from kb import handlers  # noqa: F401
        from kb.events import KINDS
        from kb.models import KbEvent
        from support import events

        events.register(KbEvent, kinds=KINDS)
        from kb.panels import kb_panel
        from tickets.workspace import panels

        panels.register(kb_panel)
        from kb.handlers import confirmation_articles
        from tickets.mail import notify

        notify.register_confirmation_articles(confirmation_articles)
