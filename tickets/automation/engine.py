"""The change hooks: routing for every new ticket, then triggers for every change.

Both run inside the change's transaction (``tickets.events.on_change``), through the public
services, attributed to the rule that acted (``events.acting_for``). Each rule acts inside a
savepoint: a rule that fails is rolled back alone, logged with the ticket (a ``rule_failed``
event) and skipped; the change that fired it stands.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation

from accounts.models import Team
from support import health
from tickets import events
from tickets.automation.actions import field_changes, run_actions
from tickets.automation.cache import ActiveRules, active_rules
from tickets.automation.compiled import CompiledRule
from tickets.automation.evaluate import Facts
from tickets.models import OPEN_STATUSES, EventKind, Ticket, TicketEvent
from tickets.services import ticket_update

logger = logging.getLogger(__name__)

# A trigger's change can fire other triggers; after this many passes the engine stops.
MAX_PASSES = 5


def register() -> None:
    """Called once from ``TicketsConfig.ready``: routing first, then triggers, then the times
    automations count from (``tickets.automation.times``)."""
    from tickets.automation import tasks, times  # noqa: F401 - the sweep's task, for the worker

    events.on_change(route_new_tickets)
    events.on_change(run_triggers)
    times.register()  # after the triggers: the times see what they changed
    health.warning_check("unrouted", unrouted_warning)


def unrouted_warning() -> str | None:
    """For ``/readyz``: open tickets without a team (read from the team queue index); a warning,
    never a failure — routing gives every new ticket a team when a default team is set."""
    count = Ticket.objects.filter(
        team__isnull=True, status__in=OPEN_STATUSES, merged_into__isnull=True
    ).count()
    if not count:
        return None
    return f"{count} open ticket{'s' if count != 1 else ''} without a team (Admin → Routing)"


def _by_ticket(evts: list[TicketEvent]) -> dict[int, tuple[Ticket, list[TicketEvent]]]:
    found: dict[int, tuple[Ticket, list[TicketEvent]]] = {}
    for event in evts:
        found.setdefault(event.ticket_id, (event.ticket, []))[1].append(event)
    return found


def _guarded(rule, ticket: Ticket, change: events.Change, act) -> bool:
    """Run ``act()`` for ``rule`` in a savepoint; on failure roll it back, log it, and say so."""
    mark = len(change.events)
    try:
        # A rule runs in the default language (as the timed sweep does): what it writes, and the
        # reason it failed, are stored for everyone, not said to whoever set it off.
        with (
            translation.override(settings.LANGUAGE_CODE),
            transaction.atomic(),
            events.acting_for(rule.as_attribution()),
        ):
            act()
        return True
    except Exception as exc:
        del change.events[mark:]  # rolled back: those events never happened
        ticket.refresh_from_db()
        logger.exception("%s %r failed on ticket #%s; skipped", rule.kind, rule.name, ticket.pk)
        events.record_event(
            ticket,
            kind=EventKind.RULE_FAILED,
            by=None,
            new=str(exc)[:255],
            data={"failed": rule.as_attribution()},
        )
        return False


def _holds(compiled: CompiledRule, facts: Facts) -> bool:
    """The rule's conditions; a rule whose conditions can't be evaluated doesn't match."""
    try:
        return compiled.holds(facts)
    except Exception:
        rule = compiled.rule
        logger.exception("%s %r: conditions could not be evaluated", rule.kind, rule.name)
        return False


# --- routing ----------------------------------------------------------------------------------


def route_new_tickets(change: events.Change) -> None:
    created = [e for e in change.events if e.kind == EventKind.CREATED]
    if not created:
        return
    rules = active_rules.get()
    for ticket_id, (ticket, evts) in _by_ticket(change.events).items():
        if not any(e.ticket_id == ticket_id for e in created):
            continue
        route(ticket, evts, rules, change)


def route(ticket: Ticket, evts: list[TicketEvent], rules: ActiveRules, change) -> None:
    """First matching rule acts; a ticket still without a team gets the default team."""
    facts = Facts(ticket, evts, calendars=rules.calendars)
    for compiled in rules.routing_compiled:
        if not _holds(compiled, facts):
            continue
        rule = compiled.rule
        actions = rule.actions
        if ticket.team_id and facts.actor == "agent":
            # The agent who filed it chose the team: the rule does the rest.
            actions = [a for a in actions if a["action"] != "set_team"]

        def act(actions=actions) -> None:
            changes = field_changes(actions)
            if changes:
                ticket_update(ticket=ticket, by=None, changes=changes)

        if _guarded(rule, ticket, change, act):
            break
    if ticket.team_id is None:
        team = default_team(rules)
        if team is not None:
            attribution = {"kind": "routing_default", "id": team.pk, "name": "Default team"}
            with events.acting_for(attribution):
                ticket_update(ticket=ticket, by=None, changes={"team": team})


def default_team(rules: ActiveRules | None = None) -> Team | None:
    """The routing settings' default team (an admin sets it; the demo has one)."""
    rules = rules or active_rules.get()
    if not rules.default_team_id:
        return None
    return Team.objects.filter(pk=rules.default_team_id).first()


# --- triggers ---------------------------------------------------------------------------------


def run_triggers(change: events.Change) -> None:
    rules = active_rules.get()
    if not rules.triggers:
        return
    fired: dict[int, set[int]] = {}
    start = 0
    marker = change.events[0].pk if change.events else 0
    for _ in range(MAX_PASSES):
        fresh = change.events[start:]
        start = len(change.events)
        touched = {e.ticket_id for e in fresh if e.kind != EventKind.RULE_FAILED}
        if not touched:
            return
        for ticket_id, (ticket, evts) in _by_ticket(change.events).items():
            if ticket_id in touched:
                _run_on(ticket, evts, rules, change, fired.setdefault(ticket_id, set()), marker)
    if len(change.events) > start:
        logger.warning(
            "Triggers still firing after %s passes on ticket(s) %s; stopped",
            MAX_PASSES,
            sorted({e.ticket_id for e in change.events[start:]}),
        )


def _run_on(ticket, evts, rules: ActiveRules, change, fired: set[int], marker: int) -> None:
    """The triggers this change could fire (``TriggerIndex``), in order; after one acts, the
    rest are chosen again from what the change now contains."""
    index = rules.trigger_index
    facts = Facts(ticket, evts, calendars=rules.calendars)
    todo = index.candidates(facts)
    facts.wanted = index.reads(todo)
    while todo:
        position = todo.pop(0)
        compiled = index.rules[position]
        trigger = compiled.rule
        if trigger.pk in fired or not _holds(compiled, facts):
            continue
        fired.add(trigger.pk)
        _guarded(
            trigger,
            ticket,
            change,
            lambda t=trigger, f=facts: run_actions(t, ticket, f, marker=marker),
        )
        # What the trigger changed is seen by the next ones in this pass.
        facts = Facts(
            ticket,
            [e for e in change.events if e.ticket_id == ticket.pk],
            calendars=rules.calendars,
        )
        todo = index.candidates(facts, start=position + 1)
        facts.wanted = index.reads(todo)
