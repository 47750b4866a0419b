"""``FastReadMixin`` gives exactly what DRF's own ``to_representation`` gives."""

import zoneinfo
from datetime import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from customers.serializers import CustomerSerializer, OrganizationSerializer
from tests import factories
from tickets.serializers import TicketSerializer

pytestmark = pytest.mark.django_db


def _drf(serializer, instance) -> dict:
    """What DRF itself makes of ``instance``, bypassing the mixin."""
    return serializers.Serializer.to_representation(serializer, instance)


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
