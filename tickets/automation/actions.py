"""Doing what a rule says, through the public services: one ``ticket_update`` for the field
changes, a system note, mail through the outbox, a webhook event for integrations."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Team, User
from support.errors import ValidationFailed
from support.i18n import language_for
from tickets.automation.evaluate import Facts
from tickets.automation.schema import PLACEHOLDER_RE
from tickets.events import record_event
from tickets.mail import loops
from tickets.mail.outbound import email_queue
from tickets.models import EventKind, MessageKind, Status, Ticket
from tickets.services import TicketChanges, message_add, ticket_lock, ticket_touch, ticket_update
from tickets.sla.models import SlaPolicy, TicketSla
from tickets.sla.services import sla_apply_policy

logger = logging.getLogger(__name__)
AUTO_GENERATED = "auto-generated"


def _team(pk: int) -> Team:
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise ValidationFailed(_("Team %(pk)s doesn't exist.") % {"pk": pk}, field="team")
    return team


def _agents(ids: list[int]) -> list[User]:
    users = list(User.objects.filter(pk__in=ids, is_active=True))
    if len(users) != len(set(ids)):
        raise ValidationFailed(_("An agent of this rule doesn't exist."), field="assignee")
    return users


def field_changes(actions: list[dict]) -> TicketChanges:
    """The actions that change fields, as one :class:`TicketChanges`."""
    changes: TicketChanges = {}
    for item in actions:
        name, value = item["action"], item.get("value")
        if name in ("set_status", "set_priority", "set_type"):
            changes[name.removeprefix("set_")] = value
        elif name == "set_team":
            changes["team"] = _team(value)
        elif name == "set_assignee":
            changes["assignee"] = _agents([value])[0] if value else None
        elif name in ("add_tags", "remove_tags"):
            key = "tags_add" if name == "add_tags" else "tags_remove"
            tags = [value] if isinstance(value, str) else value
            changes[key] = [*changes.get(key, []), *tags]
        elif name == "add_followers":
            changes["followers_add"] = _agents(value)
        elif name == "set_field":
            changes.setdefault("fields", {})[value["field"]] = value.get("value")
    return changes


def run_actions(rule, ticket: Ticket, facts: Facts, *, marker: int) -> None:
    changes = field_changes(rule.actions)
    if changes:
        ticket_update(ticket=ticket, by=None, changes=changes)
    for item in rule.actions:
        name, value = item["action"], item.get("value")
        if name == "add_note":
            system_note(ticket, value)
        elif name == "mail":
            send_mail(rule, ticket, facts, value, marker=marker)
        elif name == "webhook":
            record_event(
                ticket,
                kind=EventKind.TRIGGER_WEBHOOK,
                by=None,
                data={"subscription": value["subscription"], "trigger": rule.pk},
            )
        elif name == "set_sla_policy":
            apply_sla_policy(ticket, value)


def apply_sla_policy(ticket: Ticket, policy_id: int) -> None:
    """Set the ticket's SLA policy (kept when its matching fields change) and say so."""
    policy = SlaPolicy.objects.select_related("calendar").filter(pk=policy_id).first()
    if policy is None:
        raise ValidationFailed(
            _("SLA policy %(policy_id)s doesn't exist.") % {"policy_id": policy_id},
            field="sla_policy",
        )
    ticket_lock(ticket)
    if ticket.status == Status.CLOSED:
        raise ValidationFailed(_("This ticket is closed; its SLA can't change."))
    old = TicketSla.objects.filter(ticket=ticket).values_list("policy_name", flat=True).first()
    if sla_apply_policy(ticket=ticket, policy=policy):
        record_event(
            ticket,
            kind=EventKind.SLA_POLICY_SET,
            by=None,
            field="SLA policy",
            old=old or "",
            new=policy.name,
        )


def system_note(ticket: Ticket, body: str) -> None:
    """An internal note written by the system (a rule), not by an agent."""
    ticket_lock(ticket)
    if ticket.status == Status.CLOSED:
        raise ValidationFailed(_("This ticket is closed and can't take new notes."))
    message = message_add(ticket, kind=MessageKind.NOTE, body=body, by=None, channel="web")
    record_event(ticket, kind=EventKind.NOTE_ADDED, by=None, message=message)
    ticket_touch(ticket, internal=True)


def render(template: str, ticket: Ticket) -> str:
    """Fill ``{{ticket.subject}}``-style placeholders with plain text (the mail is text only)."""
    values = {
        "ticket.id": str(ticket.pk),
        "ticket.subject": ticket.subject,
        "ticket.status": ticket.get_status_display(),
        "ticket.priority": ticket.get_priority_display(),
        "ticket.type": ticket.get_type_display(),
        "ticket.team": ticket.team.name if ticket.team_id else "",
        "ticket.assignee": ticket.assignee.display_name if ticket.assignee_id else "",
        "ticket.requester": ticket.requester.display_name,
        "ticket.url": settings.SITE_URL
        + reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk}),
    }
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), template)


def _recipients(ticket: Ticket, mail: dict, facts: Facts) -> list[str]:
    to = mail["to"]
    if to == "requester":
        if facts.actor != "customer" and _only_notes(facts):
            return []  # never tell a customer about an internal note
        address = ticket.requester.email
        if not address or not loops.autoreply_permitted(address):
            return []
        return [address]
    if to == "assignee":
        return [ticket.assignee.email] if ticket.assignee_id and ticket.assignee.email else []
    if to == "team":
        if not ticket.team_id:
            return []
        return sorted(
            ticket.team.members.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    return [mail["address"]]


def _only_notes(facts: Facts) -> bool:
    kinds = {event.kind for event in facts.events}
    return EventKind.NOTE_ADDED in kinds and not kinds & {EventKind.REPLIED, EventKind.CREATED}


def send_mail(rule, ticket: Ticket, facts: Facts, mail: dict, *, marker: int) -> None:
    to = [a for a in _recipients(ticket, mail, facts) if not loops.is_own_address(a)]
    if not to:
        return
    # Placeholders (the status's name…) in the reader's language: the requester's or the
    # assignee's; a team or a typed address gets the default language.
    locale = ""
    if mail["to"] == "requester":
        locale = ticket.requester.locale
    elif mail["to"] == "assignee" and ticket.assignee_id:
        locale = ticket.assignee.locale
    with translation.override(language_for(locale)):
        subject, body = render(mail["subject"], ticket)[:250], render(mail["body"], ticket)
    email_queue(
        kind="trigger",
        to=to,
        subject=subject,
        body_text=body,
        headers={"Auto-Submitted": AUTO_GENERATED},
        ticket=ticket,
        dedupe_key=f"trigger:{rule.pk}:{ticket.pk}:{mail['to']}:{marker}",
    )
