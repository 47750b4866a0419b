"""Customer and organization representations are written out by hand for speed; each must give
exactly what DRF itself renders from the fields it declares (which are the schema)."""

import zoneinfo

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from customers.serializers import CustomerSerializer, OrganizationSerializer
from tests import factories

pytestmark = pytest.mark.django_db


def _same(serializer, instance) -> None:
    ours = serializer.to_representation(instance)
    drfs = serializers.Serializer.to_representation(serializer, instance)
    assert ours == drfs
    assert list(ours) == list(drfs)  # the same order too


def _context(user, **extra) -> dict:
    request = RequestFactory().get("/api/v1/customers")
    request.user = user
    return {"request": request, **extra}


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns"])
def test_customer_and_organization_representations_are_drfs(agent, zone):
    org = factories.OrganizationFactory(name="Acme", notes="key account")
    factories.OrganizationDomainFactory(organization=org, domain="acme.example")
    customers = [
        factories.CustomerFactory(organization=org, phone="+49 30 1", is_org_manager=True),
        factories.CustomerFactory(organization=None),
    ]
    portal_user = factories.CustomerUserFactory()
    contexts = [
        _context(agent, customer_expand=frozenset({"organization"})),
        _context(agent),
        _context(portal_user, customer_expand=frozenset({"organization"})),
        {},
    ]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for context in contexts:
            for customer in customers:
                _same(CustomerSerializer(context=context), customer)
            _same(OrganizationSerializer(context=context), org)
    assert OrganizationSerializer(org).data["domains"] == ["acme.example"]
