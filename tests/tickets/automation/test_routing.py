"""Routing: every new ticket, from every channel, ends with a team."""

import pytest

from portal.services import ticket_submit
from tests import factories
from tests.tickets.mail.conftest import build_mail
from tickets import services
from tickets.mail.inbound import inbound_process, inbound_store
from tickets.models import EventKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def by_address(address, team):
    return {
        "conditions": {"all": [{"field": "mail_to", "operator": "contains", "value": address}]},
        "actions": [{"action": "set_team", "value": team.pk}],
    }


def test_no_rule_matches_so_the_default_team_takes_it(general, customer):
    ticket = services.ticket_create(requester=customer, subject="Hello", body="x")
    ticket.refresh_from_db()
    assert ticket.team == general
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TEAM_CHANGED)
    assert event.data["rule"]["kind"] == "routing_default"


def test_first_matching_rule_wins(general, billing, routing_rule, customer):
    refunds = {"all": [{"field": "subject", "operator": "contains", "value": "refund"}]}
    routing_rule(
        "Refunds",
        refunds,
        [{"action": "set_team", "value": billing.pk}, {"action": "set_priority", "value": "high"}],
    )
    routing_rule("Everything", {}, [{"action": "add_tags", "value": "catch-all"}])
    ticket = services.ticket_create(requester=customer, subject="Refund please", body="x")
    ticket.refresh_from_db()
    assert (ticket.team, ticket.priority) == (billing, "high")
    assert not ticket.tags.exists()
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TEAM_CHANGED)
    assert event.data["rule"]["name"] == "Refunds" and event.actor is None


def test_portal_request_is_routed(general, billing, routing_rule):
    routing_rule(
        "Portal to billing",
        {"all": [{"field": "channel", "operator": "is", "value": "portal"}]},
        [{"action": "set_team", "value": billing.pk}],
    )
    customer = factories.CustomerFactory()
    ticket = ticket_submit(customer=customer, subject="Invoice", body="Where is it?")
    ticket.refresh_from_db()
    assert ticket.team == billing


def test_inbound_mail_is_routed_by_the_address_it_came_to(general, billing, routing_rule, settings):
    settings.DEFAULT_FROM_EMAIL = "support@localhost"
    routing_rule("By address", **by_address("billing@acme.test", billing))
    raw = build_mail(to="Billing <billing@acme.test>", subject="My invoice")
    row, _ = inbound_store(raw=raw)
    inbound_process(inbound_id=row.pk)
    ticket = Ticket.objects.get(subject="My invoice")
    assert ticket.mail_to == "billing@acme.test"
    assert ticket.team == billing


def test_api_ticket_is_routed_and_its_creator_sees_it(api, general, customer):
    agent = factories.AgentFactory()  # in no team
    response = api(agent).post(
        "/api/v1/tickets",
        {"requester_id": customer.pk, "subject": "Phone call", "body": "Called in."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.team == general and ticket.created_by == agent
    assert response.json()["team_id"] == general.pk  # the answer shows the routed ticket
    assert api(agent).get(f"/api/v1/tickets/{ticket.pk}").status_code == 200


def test_an_agent_chosen_team_is_kept(general, billing, routing_rule, agent, customer):
    routing_rule(
        "All to billing, high",
        {},
        [{"action": "set_team", "value": billing.pk}, {"action": "set_priority", "value": "high"}],
    )
    ticket = services.ticket_create(
        requester=customer, subject="Hi", body="x", by=agent, team=general
    )
    ticket.refresh_from_db()
    assert (ticket.team, ticket.priority) == (general, "high")


def test_a_failing_routing_rule_is_skipped(general, routing_rule, customer):
    gone = factories.TeamFactory(name="Gone")
    routing_rule("Broken", {}, [{"action": "set_team", "value": gone.pk}])
    gone.delete()
    ticket = services.ticket_create(requester=customer, subject="Hi", body="x")
    ticket.refresh_from_db()
    assert ticket.team == general
    failed = TicketEvent.objects.get(ticket=ticket, kind=EventKind.RULE_FAILED)
    assert failed.data["failed"]["name"] == "Broken"


def test_without_a_default_team_the_ticket_is_unrouted(customer):
    ticket = services.ticket_create(requester=customer, subject="Hi", body="x")
    assert ticket.team is None
