"""``FastReadMixin`` gives exactly what DRF's own ``to_representation`` gives."""

import zoneinfo
from datetime import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from customers.serializers import CustomerSerializer, OrganizationSerializer
from support.api.serializers import FastReadMixin
from tests import factories
from tickets.serializers import TicketSerializer

pytestmark = pytest.mark.django_db


def _drf(serializer, instance) -> dict:
    """What DRF itself makes of ``instance``: the mixin switched off, nested serializers too."""
    fast = FastReadMixin.to_representation
    FastReadMixin.to_representation = serializers.Serializer.to_representation
    try:
        return serializers.Serializer.to_representation(serializer, instance)
    finally:
        FastReadMixin.to_representation = fast


def _context(user, **extra) -> dict:
    request = RequestFactory().get("/api/v1/tickets")
    request.user = user
    return {"request": request, **extra}


@pytest.fixture
def tickets(team, agent):
    org = factories.OrganizationFactory(name="Acme", notes="key account")
    factories.OrganizationDomainFactory(organization=org, domain="acme.example")
    requester = factories.CustomerFactory(organization=org, phone="+49 30 1", is_org_manager=True)
    full = factories.TicketFactory(
        requester=requester,
        team=team,
        assignee=agent,
        priority="urgent",
        status="solved",
        solved_at=datetime(2026, 3, 29, 0, 30, tzinfo=zoneinfo.ZoneInfo("UTC")),
        first_response_due_at=datetime(
            2026, 3, 29, 1, 30, 15, 123456, tzinfo=zoneinfo.ZoneInfo("UTC")
        ),
    )
    full.tags.add(factories.TagFactory(name="billing"), factories.TagFactory(name="vip"))
    bare = factories.TicketFactory(subject="Bare", team=team)
    return [full, bare]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns"])
@pytest.mark.parametrize("expand", [(), ("requester", "organization")])
def test_ticket_representation_is_drfs_for_agents(tickets, agent, zone, expand):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for ticket in tickets:
            serializer = TicketSerializer(context=_context(agent, expand=frozenset(expand)))
            fast = serializer.to_representation(ticket)
            assert fast == _drf(serializer, ticket)
            assert list(fast) == list(_drf(serializer, ticket))  # same order too


def test_ticket_representation_is_drfs_for_customers_and_webhooks(tickets):
    customer_user = factories.CustomerUserFactory()
    for ticket in tickets:
        for context in (_context(customer_user, expand=frozenset({"requester"})), {}):
            serializer = TicketSerializer(context=context)
            assert serializer.to_representation(ticket) == _drf(serializer, ticket)


def test_customer_and_organization_representations_are_drfs(tickets, agent):
    customer = tickets[0].requester
    for context in (_context(agent, customer_expand=frozenset({"organization"})), {}):
        serializer = CustomerSerializer(context=context)
        assert serializer.to_representation(customer) == _drf(serializer, customer)
        org_serializer = OrganizationSerializer(context=context)
        org = customer.organization
        assert org_serializer.to_representation(org) == _drf(org_serializer, org)
    assert OrganizationSerializer(customer.organization).data["domains"] == ["acme.example"]


def test_sla_representation_is_drfs():
    from tickets.serializers import TicketSlaSerializer

    utc = zoneinfo.ZoneInfo("UTC")
    at = datetime(2026, 3, 29, 1, 30, 15, 5, tzinfo=utc)
    target = {
        "kind": "first_response",
        "state": "running",
        "target_minutes": 60,
        "started_at": at,
        "warn_at": at,
        "due_at": at,
        "met": False,
        "met_at": None,
        "breached": True,
        "breached_at": None,
        "paused_since": at,
    }
    clock = {"state": "breached", "label": "first response", "text": "overdue", "due_at": at}
    for value in (
        {"policy_id": 7, "policy_name": "Gold", "clock": clock, "targets": [target, target]},
        {"policy_id": None, "policy_name": "", "clock": None, "targets": []},
        {"policy_id": 7, "policy_name": "Gold", "clock": {**clock, "due_at": None}, "targets": []},
    ):
        serializer = TicketSlaSerializer()
        with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
            assert serializer.to_representation(value) == _drf(serializer, value)
        assert serializer.to_representation(value) == _drf(serializer, value)
