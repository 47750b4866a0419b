"""What feedback does when something happened: ticket events (never importing feedback into
tickets) and its own events. Each handler runs after the change committed and may run twice."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.branding import brand
from feedback import events
from feedback.models import CsatSurvey, FeedbackEvent, Rating
from support.events import subscribe
from tickets.mail.outbound import email_queue
from tickets.models import EventKind, Status, TicketEvent


@subscribe(EventKind.STATUS_CHANGED)
def schedule_csat_on_solve(event: TicketEvent) -> None:
    """A solved ticket owes its customer a survey (sent later by the beat sweep)."""
    from feedback.services import csat_survey_schedule

    if event.new != Status.SOLVED:
        return
    csat_survey_schedule(ticket=event.ticket)


@subscribe(events.CSAT_RECEIVED)
def mail_lead_of_bad_rating(event: FeedbackEvent) -> None:
    """A bad rating goes to the ticket's team lead, once per survey: flipping the rating back
    and forth doesn't spam the lead (``dedupe_key``)."""
    if event.data.get("rating") != Rating.BAD:
        return
    survey = (
        CsatSurvey.objects.select_related("customer", "ticket__team__lead", "ticket__assignee")
        .filter(pk=event.data["survey_id"])
        .first()
    )
    if survey is None:
        return
    ticket = survey.ticket
    lead = ticket.team.lead if ticket.team_id else None
    if lead is None or not lead.is_active:
        return
    context = {
        "survey": survey,
        "comment": event.data.get("comment", ""),  # the answer as given with this rating
        "ticket": ticket,
        "lead": lead,
        "SITE_NAME": brand().site_name,
        "SITE_URL": settings.SITE_URL,
        "ticket_url": settings.SITE_URL
        + reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk}),
    }
    email_queue(
        kind="csat_bad_rating",
        to=[lead.email],
        subject=f"[{ticket.reference}] Bad rating: {ticket.subject}",
        body_text=render_to_string("feedback/mail/csat_bad.txt", context),
        ticket=ticket,
        dedupe_key=f"csat-bad:{survey.pk}",
        headers={"Auto-Submitted": "auto-generated"},
    )
