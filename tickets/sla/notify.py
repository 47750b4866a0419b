"""Escalation mail: an SLA warning or breach told to the people responsible for the ticket.

The sweep (``tickets.sla.sweep``) marks a clock and records its ``sla_warning``/``sla_breached``
event with the clock and who was responsible at that moment (``event.data``: ``clock``,
``notify`` — user ids — and ``escalates`` when the policy then moved the ticket). The handler
here mails them after the sweep's transaction committed; when the ticket was escalated, the
people now responsible for it (a new team) hear too. It may run twice for one event: the mail's
``dedupe_key`` is the clock and the mark, so it is queued once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from support.events import subscribe
from tickets.mail.outbound import email_queue
from tickets.models import EventKind, Ticket, TicketEvent
from tickets.sla.models import SlaPolicy, SlaTarget

WARNING, BREACH = "warning", "breach"


class Audience:
    """Who hears about a clock: the assignee, else the team's active members; for a breach also
    the team lead; plus the policy's watchers. For a chunk, read with one query for team members
    and one per policy, not one per clock."""

    def __init__(self, tickets: Iterable[Ticket], policies: Iterable[SlaPolicy | None]) -> None:
        team_ids = {t.team_id for t in tickets if t.team_id and not t.assignee_id}
        self.members: dict[int, list[User]] = {}
        if team_ids:
            through = User.teams.through
            for link in through.objects.filter(
                team_id__in=team_ids, user__is_active=True
            ).select_related("user"):
                self.members.setdefault(link.team_id, []).append(link.user)
        self.watchers: dict[int, list[User]] = {}
        for policy in {p.pk: p for p in policies if p is not None}.values():
            self.watchers[policy.pk] = list(policy.notify.filter(is_active=True))

    def people(self, ticket: Ticket, what: str, policy: SlaPolicy | None) -> set[int]:
        """Their user ids (those with an address)."""
        people: list[User] = []
        if ticket.assignee_id and ticket.assignee.is_active:
            people.append(ticket.assignee)
        elif ticket.team_id:
            people.extend(self.members.get(ticket.team_id, []))
        if what == BREACH and ticket.team_id and ticket.team.lead_id:
            people.append(ticket.team.lead)
        if policy is not None:
            people.extend(self.watchers.get(policy.pk, []))
        return {p.pk for p in people if p.email}


@subscribe(EventKind.SLA_WARNING, EventKind.SLA_BREACHED)
def mail_sla_escalation(event: TicketEvent) -> None:
    data = event.data or {}
    target = SlaTarget.objects.filter(pk=data.get("clock")).first()
    if target is None:
        return  # not a mark the sweep made (or its clock is gone with its ticket)
    what = BREACH if event.kind == EventKind.SLA_BREACHED else WARNING
    ticket = event.ticket
    people = set(data.get("notify", []))
    if data.get("escalates"):
        # Moved to a new team: its people hear too (the policy's watchers are in ``notify``).
        people |= Audience([ticket], []).people(ticket, what, None)
    recipients = sorted({u.email for u in User.objects.filter(pk__in=people)} - {""})
    if not recipients:
        return
    # The sweep recorded old="due <iso>", new="<warning|breach> at <iso>": the clock's times
    # when it was marked (an escalation may have moved the clock since).
    due = datetime.fromisoformat(event.old.removeprefix("due "))
    when = datetime.fromisoformat(event.new.partition(" at ")[2])
    email_queue(**_mail(ticket, target, what, due=due, when=when, recipients=recipients))


def _mail(
    ticket: Ticket,
    target: SlaTarget,
    what: str,
    *,
    due: datetime,
    when: datetime,
    recipients: list[str],
) -> dict:
    """The escalation mail's ``email_queue`` arguments; its dedupe key is the clock and mark."""
    label = target.get_kind_display().lower()
    if what == BREACH:
        subject = f"[#{ticket.pk}] SLA breached: {label} — {ticket.subject}"
        line = f"The {label} target of ticket #{ticket.pk} was breached at {_fmt(when)}."
    else:
        subject = f"[#{ticket.pk}] SLA warning: {label} due {_fmt(due)} — {ticket.subject}"
        line = (
            f"The {label} target of ticket #{ticket.pk} is {target.warning_percent}% used; "
            f"it is due at {_fmt(due)}."
        )
    body = "\n".join(
        [
            line,
            "",
            f"Subject:  {ticket.subject}",
            f"Priority: {ticket.get_priority_display()}",
            f"Assignee: {ticket.assignee.display_name if ticket.assignee_id else 'nobody'}",
            f"Team:     {ticket.team.name if ticket.team_id else 'none'}",
            "",
            settings.SITE_URL + reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk}),
        ]
    )
    return {
        "kind": f"sla_{what}",
        "to": recipients,
        "subject": subject,
        "body_text": body,
        "ticket": ticket,
        "dedupe_key": f"sla-{what}:{target.pk}",
        "headers": {"Auto-Submitted": "auto-generated"},
    }


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
