"""Demo data for routing, triggers and automations: Customer Support is the default team, three
routing rules, two triggers, the shipped automation examples (off); no demo ticket is left
without a team (tickets the portal and mail demos filed while events were suppressed never passed
routing), and every demo ticket has the times automations count from."""

from __future__ import annotations

import random

from django.db import transaction

from accounts.models import Team
from tickets.automation import services
from tickets.automation.examples import create_examples
from tickets.automation.models import Automation, RoutingRule, Trigger
from tickets.automation.times import times_backfill
from tickets.models import Status, Ticket
from tickets.services import ticket_keys_sync, ticket_update


def _rule(model, name: str, conditions: dict, actions: list, **extra) -> None:
    if not model.objects.filter(name=name).exists():
        services.rule_save(model(), name=name, conditions=conditions, actions=actions, **extra)


@transaction.atomic
def seed(*, rng: random.Random) -> None:
    teams = {team.name: team for team in Team.objects.all()}
    support, billing, tech = (
        teams.get("Customer Support"),
        teams.get("Billing"),
        teams.get("Technical Support"),
    )
    if support is None or billing is None or tech is None:
        return
    services.default_team_set(support)
    _rule(
        RoutingRule,
        "Mail to billing@ goes to Billing",
        {"all": [{"field": "mail_to", "operator": "contains", "value": "billing@example.com"}]},
        [{"action": "set_team", "value": billing.pk}],
    )
    _rule(
        RoutingRule,
        "Invoices and refunds to Billing",
        {
            "any": [
                {"field": "subject", "operator": "contains", "value": "invoice"},
                {"field": "subject", "operator": "contains", "value": "refund"},
            ]
        },
        [{"action": "set_team", "value": billing.pk}, {"action": "add_tags", "value": "billing"}],
    )
    _rule(
        RoutingRule,
        "Outages to Technical Support, high",
        {"any": [{"field": "subject", "operator": "contains", "value": "down"}]},
        [{"action": "set_team", "value": tech.pk}, {"action": "set_priority", "value": "high"}],
    )
    _rule(
        Trigger,
        "Urgent tickets: tell the team",
        {
            "all": [
                {"field": "priority", "operator": "changed_to", "value": "urgent"},
                {"field": "status", "operator": "is_not", "value": "closed"},
            ]
        },
        [
            {
                "action": "mail",
                "value": {
                    "to": "team",
                    "subject": "Urgent: #{{ticket.id}} {{ticket.subject}}",
                    "body": "Ticket #{{ticket.id}} is now urgent.\n\n{{ticket.url}}",
                },
            }
        ],
        description="Mails every member of the ticket's team when a ticket becomes urgent.",
    )
    _rule(
        Trigger,
        "Customer reopened: back to open, note",
        {
            "all": [
                {"field": "status", "operator": "changed_from", "value": "solved"},
                {"field": "actor", "operator": "is", "value": "customer"},
            ]
        },
        [
            {"action": "add_tags", "value": "reopened"},
            {"action": "add_note", "value": "The customer reopened this ticket."},
        ],
    )
    create_examples(Automation)  # off, as on a fresh install
    # History imported with events suppressed kept no times: read them from its events.
    times_backfill()
    # No demo ticket without a team.
    for ticket in Ticket.objects.filter(team__isnull=True).exclude(status=Status.CLOSED):
        ticket_update(ticket=ticket, by=None, changes={"team": support})
    for ticket in Ticket.objects.filter(team__isnull=True, status=Status.CLOSED):
        # A closed ticket can't be reassigned through the services: history, set as it was.
        Ticket.objects.filter(pk=ticket.pk).update(team=support)
        ticket.team = support
        ticket_keys_sync(ticket)
