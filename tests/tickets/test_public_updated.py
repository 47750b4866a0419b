"""Internal-only changes don't move what a customer can see: after a note, an assignment or a
tag, the portal's "Updated" time and a customer token's ``updated_at`` and ``ETag`` stay as they
were (a GET with the old ETag is still a 304), while the agents' ``updated_at`` moves. A public
reply moves both. The customer's lists (portal, API) sort by what they can see, so a note
doesn't move a ticket up them either."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from support import clock
from tests import factories
from tickets.services import ticket_assign, ticket_note, ticket_reply, ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(agent):
    customer = factories.CustomerUserFactory()
    ticket = factories.TicketFactory(team=agent.teams.first(), requester=customer.customer)
    return customer, ticket


def _customer_view(api, customer, ticket, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    response = api(customer).get(f"/api/v1/tickets/{ticket.pk}", **headers)
    portal = Client()
    portal.force_login(customer)
    page = portal.get(reverse("portal:home")).content.decode()
    shown = re.search(r'class="portal-updated[^"]*">[^<]*<time datetime="([^"]+)"', page)
    return response, shown.group(1)


def _later(minutes: int):
    return clock.travel(clock.now() + timedelta(minutes=minutes))


def test_notes_assignments_and_tags_leave_the_customers_updated_time_and_etag(api, agent, setting):
    customer, ticket = setting
    before, shown_before = _customer_view(api, customer, ticket)
    agent_before = api(agent).get(f"/api/v1/tickets/{ticket.pk}").json()["updated_at"]

    with _later(5):
        ticket_note(ticket=ticket, body="Customer is on the old plan.", by=agent)
    with _later(10):
        ticket_assign(ticket=ticket, by=agent, assignee=agent)
    with _later(15):
        ticket_update(ticket=ticket, by=agent, changes={"tags_add": ["vip"]})

    after, shown_after = _customer_view(api, customer, ticket)
    assert after.json()["updated_at"] == before.json()["updated_at"]
    assert after["ETag"] == before["ETag"]
    assert shown_after == shown_before
    assert _customer_view(api, customer, ticket, etag=before["ETag"])[0].status_code == 304
    assert api(agent).get(f"/api/v1/tickets/{ticket.pk}").json()["updated_at"] != agent_before


def test_a_public_reply_moves_the_customers_time_and_etag(api, agent, setting):
    customer, ticket = setting
    before, shown_before = _customer_view(api, customer, ticket)
    with _later(5):
        ticket_reply(ticket=ticket, body="We are on it.", by=agent)
    after, shown_after = _customer_view(api, customer, ticket)
    assert after.json()["updated_at"] != before.json()["updated_at"]
    assert after["ETag"] != before["ETag"]
    assert shown_after != shown_before


def _portal_order(customer) -> list[int]:
    portal = Client()
    portal.force_login(customer)
    page = portal.get(reverse("portal:home")).content.decode()
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/portal/tickets/(\d+)/?"', page))]


def test_an_internal_note_does_not_reorder_the_customers_lists(api, agent, setting):
    customer, older = setting
    with _later(5):
        newer = factories.TicketFactory(team=older.team, requester=customer.customer)
    with _later(10):
        ticket_note(ticket=older, body="Escalated to billing.", by=agent)

    def api_order(user, **params) -> list[int]:
        return [row["id"] for row in api(user).get("/api/v1/tickets", params).json()["results"]]

    assert api_order(customer) == [newer.pk, older.pk]
    assert api_order(customer, ordering="updated_at") == [older.pk, newer.pk]
    assert _portal_order(customer) == [newer.pk, older.pk]
    since = (clock.now() + timedelta(minutes=7)).isoformat()
    assert api_order(customer, updated_since=since) == []
    # Agents see every change: the note moved the older ticket up their list.
    assert api_order(agent)[:2] == [older.pk, newer.pk]
    assert api_order(agent, updated_since=since) == [older.pk]

    with _later(15):
        ticket_reply(ticket=older, body="Refunded.", by=agent)
    assert api_order(customer) == [older.pk, newer.pk]
    assert _portal_order(customer) == [older.pk, newer.pk]
