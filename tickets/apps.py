from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from support import events
        from tickets.events import SELECT_RELATED
        from tickets.models import EventKind, TicketEvent

        # The ticket's history is a table of the one event stream; then its handlers subscribe.
        events.register(TicketEvent, kinds=EventKind.values, select_related=SELECT_RELATED)
        # Rules and macros changing (their webhooks).
        from tickets.automation.announce import KINDS as WORKFLOW_KINDS
        from tickets.automation.models import WorkflowEvent

        events.register(WorkflowEvent, kinds=WORKFLOW_KINDS)

        from tickets.automation import engine
        from tickets.mail import notify, tasks  # noqa: F401 - registers event handlers and tasks
        from tickets.sla import cache  # noqa: F401 - reloads the SLA policies on changes
        from tickets.sla import notify as sla_notify  # noqa: F401 - registers the SLA mail handler
        from tickets.workspace import agent_cache, handlers  # noqa: F401 - registers event handlers

        engine.register()  # routing, then triggers, on every ticket change

        from support.status import status_source
        from tickets.mail.status import mail_readings

        status_source("Mail", mail_readings)

        # Cache invalidation only: cached saved views and canned responses drop when they change.
        agent_cache.connect_signals()

        # Change hooks, in order: auto-assignment runs last, on the team the ticket ends with.
        from tickets import assignment

        assignment.register()
