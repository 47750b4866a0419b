import pytest
from django.db import IntegrityError

from customers.models import Customer, OrganizationDomain
from customers.services import (
    customer_create,
    customer_get_or_create,
    organization_add_domain,
    organization_create,
)
from support.errors import AlreadyExists, ValidationFailed
from tests import factories

pytestmark = pytest.mark.django_db


def test_customer_emails_differing_only_in_case_are_refused():
    Customer.objects.create(email="pat@example.net")
    with pytest.raises(IntegrityError):
        Customer.objects.create(email="PAT@example.net")


def test_customer_create_refuses_a_duplicate_with_a_sentence():
    customer_create(email="pat@example.net")
    with pytest.raises(AlreadyExists, match="already exists"):
        customer_create(email="Pat@Example.net")


def test_new_customer_joins_the_organization_of_their_email_domain():
    acme = organization_create(name="Acme", domains=["acme.test", "@ACME.example"])
    assert customer_create(email="jo@acme.test").organization == acme
    assert customer_create(email="kim@acme.example").organization == acme
    assert customer_create(email="lou@elsewhere.test").organization is None


def test_a_domain_belongs_to_one_organization():
    acme = organization_create(name="Acme", domains=["acme.test"])
    other = organization_create(name="Other")
    with pytest.raises(ValidationFailed, match="already belongs to Acme"):
        organization_add_domain(organization=other, domain="ACME.test")
    assert organization_add_domain(organization=acme, domain="acme.test").organization == acme


def test_domains_are_stored_lowercase():
    org = factories.OrganizationFactory()
    with pytest.raises(IntegrityError):
        OrganizationDomain.objects.create(organization=org, domain="Mixed.Example")


def test_organization_names_are_unique_without_regard_to_case():
    organization_create(name="Acme")
    with pytest.raises(ValidationFailed):
        organization_create(name="ACME")


def test_only_a_customer_in_an_organization_can_manage_it():
    with pytest.raises(IntegrityError):
        Customer.objects.create(email="boss@example.net", is_org_manager=True)


def test_get_or_create_returns_the_existing_contact():
    existing = customer_create(email="ann@example.net", name="Ann")
    assert customer_get_or_create(email="ANN@example.net") == existing
    assert customer_get_or_create(email="new@example.net", name="New").name == "New"
