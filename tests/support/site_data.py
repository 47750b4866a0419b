"""The site map's data set: users for every role (the demo logins) and a small set of objects
that shows each page in every state its badges can take (``build_site``). ``tests.support.site_map``
says which pages there are and who may open them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

ADMIN, AGENT, PM, CUSTOMER, VISITOR = "admin", "agent", "pm", "customer", "visitor"
ROLES = (ADMIN, AGENT, PM, CUSTOMER, VISITOR)
EMAILS = {
    ADMIN: "admin@example.com",
    AGENT: "agent@example.com",
    PM: "pm@example.com",
    CUSTOMER: "customer@example.com",
}
PASSWORD = "demo"  # noqa: S105 - the demo seeders' password, reused for the walk's sign-ins


@dataclass
class Site:
    """Ids of the objects the pages show."""

    tickets: dict[str, int] = field(default_factory=dict)  # by what they show: "note", "closed"
    portal_tickets: list[int] = field(default_factory=list)
    portal_solved: int = 0
    saved_view: int = 0
    feedback_items: list[int] = field(default_factory=list)
    calendar: int = 0
    policy: int = 0
    routing_rule: int = 0
    trigger: int = 0
    webhook: int = 0
    inbound: list[int] = field(default_factory=list)
    csat_link: str = ""
    product: int = 0
    version: int = 0
    component: int = 0
    ticket_field: int = 0
    ticket_form: int = 0
    profile_field: int = 0


def build_site() -> Site:
    """Users for every role (the demo logins), tickets in every status and priority with SLA
    clocks in every state (on a 24/7 calendar, so the states don't depend on the hour), an
    internal note, inbound mail in every status, feedback items in every status, CSAT answers,
    and each area's own demo data (rules, macros, canned replies, a webhook, saved views)."""
    import importlib

    from accounts.models import Availability, Role
    from accounts.services import team_add_member, team_create, user_create
    from accounts.tokens import api_token_create
    from customers.services import customer_create, organization_create
    from feedback.models import CsatSurvey, FeedbackItem, Rating
    from feedback.services import (
        csat_link,
        csat_survey_answer,
        csat_survey_schedule,
        csat_survey_send,
    )
    from integrations.models import WebhookSubscription
    from support import clock
    from tickets import events
    from tickets.automation.models import RoutingRule, Trigger
    from tickets.demo import TEAMS
    from tickets.mail.inbound import inbound_process, inbound_store
    from tickets.models import Priority, SavedView, Status, Ticket
    from tickets.services import (
        ticket_assign,
        ticket_change_status,
        ticket_create,
        ticket_note,
        ticket_reply,
    )
    from tickets.sla import services as sla_services
    from tickets.sla.models import BusinessCalendar, SlaPolicy

    rng = random.Random(7)
    site = Site()
    now = clock.now()
    with events.suppressed():
        admin = user_create(
            email=EMAILS[ADMIN], name="Ada Admin", role=Role.ADMIN, password=PASSWORD
        )
        agent = user_create(
            email=EMAILS[AGENT], name="Alex Agent", role=Role.AGENT, password=PASSWORD
        )
        away = user_create(email="sam@example.com", name="Sam Away", role=Role.AGENT)
        user_create(
            email=EMAILS[PM], name="Priya Patel", role=Role.PRODUCT_MANAGER, password=PASSWORD
        )
        teams = [team_create(name=name, email=email) for name, email in TEAMS]
        for team in teams:
            for member in (admin, agent, away):
                team_add_member(team=team, user=member)
        agent.availability, away.availability = Availability.ONLINE, Availability.AWAY
        agent.save(update_fields=["availability"])
        away.save(update_fields=["availability"])
        api_token_create(user=agent, name="CRM sync")

        calendar = sla_services.calendar_save(
            calendar=BusinessCalendar(name="24/7", time_zone="UTC", always_open=True, hours={})
        )
        policy = sla_services.policy_save(
            policy=SlaPolicy(
                name="Standard",
                is_default=True,
                calendar=calendar,
                first_response_minutes=60,
                next_reply_minutes=120,
                resolution_minutes=8 * 60,
                warning_percent=75,
            )
        )
        site.calendar, site.policy = calendar.pk, policy.pk

        org = organization_create(name="Example Corp", domains=["example.net"])
        requester = customer_create(email="jordan@example.net", name="Jordan Lee", organization=org)
        # (what it shows, status, priority, minutes ago) — the SLA clock follows from the age:
        # first response due in 60 min, warning from 45 min.
        shapes = [
            ("sla_ok", Status.NEW, Priority.URGENT, 10),
            ("sla_warning", Status.OPEN, Priority.HIGH, 50),
            ("sla_breached", Status.OPEN, Priority.NORMAL, 180),
            ("paused", Status.PENDING, Priority.LOW, 300),
            ("on_hold", Status.ON_HOLD, Priority.NORMAL, 400),
            ("solved", Status.SOLVED, Priority.LOW, 600),
            ("closed", Status.CLOSED, Priority.HIGH, 6000),
        ]
        for key, status, priority, minutes in shapes:
            with clock.travel(now - timedelta(minutes=minutes)):
                ticket = ticket_create(
                    requester=requester,
                    by=requester,
                    subject=f"Export to CSV stops at row 10,000 ({key.replace('_', ' ')})",
                    body="Hi,\n\nour monthly export stops at row 10,000 and the file is cut off."
                    "\n\nThanks,\nJordan",
                    priority=priority,
                    team=teams[0],
                )
            with clock.travel(now - timedelta(minutes=minutes - 2)):
                if status != Status.NEW:
                    ticket_assign(ticket=ticket, assignee=agent, by=agent)
                if status == Status.OPEN:
                    ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
                elif status != Status.NEW:
                    ticket_reply(
                        ticket=ticket,
                        body="Hi Jordan,\n\nthe export limit is 10,000 rows on your plan; "
                        "I've raised it for your account.\n\nAlex",
                        by=agent,
                        status=Status.SOLVED if status == Status.CLOSED else status,
                    )
                if status == Status.CLOSED:
                    ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
            site.tickets[key] = ticket.pk
        ticket_note(
            ticket=Ticket.objects.get(pk=site.tickets["sla_warning"]),
            body="Reproduced on staging: the exporter pages at 10,000 rows.",
            by=agent,
        )
        site.tickets["note"] = site.tickets["sla_warning"]

        # Each area's own demo data on top (the customer's portal tickets, mail, rules, feedback
        # items in every status with CSAT answers, macros, canned replies, saved views).
        for module in (
            "customers.demo",
            "products.demo",
            "portal.demo",
            "tickets.product_demo",
            "tickets.mail.demo",
            "integrations.demo",
            "tickets.automation.demo",
            "feedback.demo",
            "tickets.assignment.demo",
            "tickets.macros.demo",
            "tickets.workspace.demo",
            "kb.demo",
        ):
            importlib.import_module(module).seed(rng=rng)

        # Inbound mail in the two states the demo lacks: stored but not yet processed, and
        # ignored (an auto-reply).
        for n, extra in enumerate(({}, {"Auto-Submitted": "auto-replied"})):
            mail = EmailMessage()
            mail["From"] = "Robin Day <robin@example.org>"
            mail["To"] = "support@localhost"
            mail["Subject"] = "Out of office" if extra else "Question about my invoice"
            mail["Message-ID"] = f"<a11y-{n}@example.org>"
            for name, value in extra.items():
                mail[name] = value
            mail.set_content("I'm away until Monday." if extra else "Is VAT included?")
            row, _ = inbound_store(raw=bytes(mail), mailbox="demo")
            if extra:
                inbound_process(inbound_id=row.pk)

        customer_tickets = Ticket.objects.filter(requester__email=EMAILS[CUSTOMER])
        site.portal_tickets = list(customer_tickets.order_by("pk").values_list("pk", flat=True))
        solved = customer_tickets.filter(status=Status.SOLVED).first()
        survey = CsatSurvey.objects.filter(ticket=solved).first()
        if survey is None:
            survey = csat_survey_schedule(ticket=solved)
            csat_survey_send(survey=survey, mail=False)
        site.portal_solved = solved.pk
        site.csat_link = csat_link(survey, Rating.GOOD)
        # A good and a bad answer for the reports and the ticket page.
        for rating, key in ((Rating.GOOD, "solved"), (Rating.BAD, "closed")):
            ticket = Ticket.objects.get(pk=site.tickets[key])
            other = csat_survey_schedule(ticket=ticket)
            if other is not None and other.rating == "":
                csat_survey_send(survey=other, mail=False)
                csat_survey_answer(
                    survey=other, rating=rating, comment="Quick and clear.", notify=False
                )

    site.saved_view = SavedView.objects.filter(owner=agent).values_list("pk", flat=True).first()
    # One feedback item and one inbound mail in each status.
    items = FeedbackItem.objects.order_by("status", "pk").values_list("status", "pk")
    site.feedback_items = list(dict(reversed(items)).values())
    site.routing_rule = RoutingRule.objects.values_list("pk", flat=True).first()
    site.trigger = Trigger.objects.values_list("pk", flat=True).first()
    site.webhook = WebhookSubscription.objects.values_list("pk", flat=True).first()
    from products.models import Component, Version

    version = Version.objects.order_by("pk").first()
    site.product, site.version = version.product_id, version.pk
    site.component = Component.objects.filter(product_id=site.product).order_by("pk")[0].pk
    from tickets.fields.models import TicketField, TicketForm

    site.ticket_field = TicketField.objects.order_by("pk").values_list("pk", flat=True).first()
    site.ticket_form = TicketForm.objects.order_by("pk").values_list("pk", flat=True).first()
    from customers.models import ProfileField

    site.profile_field = ProfileField.objects.order_by("pk").values_list("pk", flat=True).first()
    from tickets.mail.models import InboundEmail

    mails = InboundEmail.objects.order_by("status", "pk").values_list("status", "pk")
    site.inbound = list(dict(reversed(mails)).values())
    return site
