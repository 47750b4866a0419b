"""Organization and customer fields (``customers.fields``): defining them, setting values with
the ticket fields' validator, events for a contact's changes, and how values read."""

from __future__ import annotations

import pytest

from customers import fields as profile
from customers.models import CustomerEvent, Organization, ProfileField
from support.customfields import FieldKind
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tests.customers.profile_setup import CUSTOMER, ORG, define, define_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.AdminFactory()


@pytest.fixture
def agent():
    return factories.AgentFactory()


def test_admin_defines_an_organization_choice_field_and_the_same_key_for_customers(admin):
    plan = define_plan(admin)
    assert plan.applies_to == ORG
    assert [c.value for c in plan.choices.all()] == ["free", "pro", "enterprise"]
    # Keys are unique per target: a customer field may share the key.
    define(admin, target=CUSTOMER, key="plan")
    with pytest.raises(ValidationFailed) as caught:
        define(admin, key="plan")
    assert caught.value.field == "key"


def test_only_admins_define_fields(agent):
    with pytest.raises(NotPermitted):
        define(agent, key="region")


def test_a_definition_is_checked_like_a_ticket_field(admin):
    with pytest.raises(ValidationFailed) as caught:
        define(admin, key="plan", kind=FieldKind.CHOICE, choices=[])
    assert caught.value.field == "choices"
    with pytest.raises(ValidationFailed) as caught:
        define(admin, key="code", kind=FieldKind.PATTERN, pattern="([")
    assert caught.value.field == "pattern"
    region = define(admin, key="region")
    region.kind = FieldKind.NUMBER
    with pytest.raises(InvalidChange):
        profile.profile_field_save(field=region, by=admin)
    region.refresh_from_db()
    region.key = "area"
    with pytest.raises(InvalidChange):
        profile.profile_field_save(field=region, by=admin)


def test_organization_values_are_validated_and_merged(admin, agent):
    define_plan(admin)
    define(admin, key="account_value", kind=FieldKind.DECIMAL, label="Account value")
    org = factories.OrganizationFactory()
    profile.organization_set_fields(
        organization=org, values={"plan": "pro", "account_value": "12000,50"}, by=agent
    )
    org.refresh_from_db()
    assert org.fields == {"plan": "pro", "account_value": "12000.50"}
    with pytest.raises(ValidationFailed) as caught:
        profile.organization_set_fields(organization=org, values={"plan": "gold"}, by=agent)
    assert caught.value.field == "fields.plan"
    assert "not one of the choices" in caught.value.message
    with pytest.raises(ValidationFailed) as caught:
        profile.organization_set_fields(organization=org, values={"seats": 3}, by=agent)
    assert caught.value.field == "fields.seats"
    # Clearing one value keeps the others.
    profile.organization_set_fields(organization=org, values={"plan": ""}, by=agent)
    assert Organization.objects.get(pk=org.pk).fields == {"account_value": "12000.50"}


def test_customers_cannot_set_values(admin):
    define_plan(admin)
    org = factories.OrganizationFactory()
    user = factories.CustomerUserFactory()
    with pytest.raises(NotPermitted):
        profile.organization_set_fields(organization=org, values={"plan": "pro"}, by=user)


def test_a_contacts_change_is_a_customer_event_with_old_and_new(admin, agent):
    define(admin, target=CUSTOMER, key="success_manager", label="Success manager")
    contact = factories.CustomerFactory()
    profile.customer_set_fields(customer=contact, values={"success_manager": "Ada"}, by=agent)
    profile.customer_set_fields(customer=contact, values={"success_manager": "Ada"}, by=agent)
    profile.customer_set_fields(customer=contact, values={"success_manager": "Bo"}, by=agent)
    events = list(CustomerEvent.objects.filter(customer=contact).order_by("id"))
    assert [e.kind for e in events] == [CustomerEvent.Kind.FIELDS_CHANGED] * 2  # no-op: no event
    assert events[1].data == {"changes": {"success_manager": {"old": "Ada", "new": "Bo"}}}
    assert events[1].by == agent


def test_a_retired_choice_reads_as_before_and_is_refused_for_new_values(admin, agent):
    plan = define_plan(admin)
    org = factories.OrganizationFactory()
    profile.organization_set_fields(organization=org, values={"plan": "free"}, by=agent)
    profile.profile_field_save(
        field=plan,
        choices=[{"value": "free", "label": "Starter", "retired": True}, {"value": "pro"}],
        by=admin,
    )
    org.refresh_from_db()
    assert [(v.field.key, v.text) for v in profile.values_of(org)] == [("plan", "Starter")]
    other = factories.OrganizationFactory()
    with pytest.raises(ValidationFailed, match="no longer offered"):
        profile.organization_set_fields(organization=other, values={"plan": "free"}, by=agent)


def test_deleting_a_field_that_holds_values_is_refused_with_the_count(admin, agent):
    plan = define_plan(admin)
    for org in factories.OrganizationFactory.create_batch(2):
        profile.organization_set_fields(organization=org, values={"plan": "pro"}, by=agent)
    with pytest.raises(InvalidChange, match="2 organizations"):
        profile.profile_field_delete(field=plan, by=admin)
    unused = define(admin, key="region")
    profile.profile_field_delete(field=unused, by=admin)
    assert not ProfileField.objects.filter(key="region").exists()


def test_values_of_lists_filled_fields_for_the_sidebar(admin, agent):
    define_plan(admin)
    define(admin, key="region", label="Region")
    org = factories.OrganizationFactory()
    profile.organization_set_fields(organization=org, values={"region": "EMEA"}, by=agent)
    assert [v.field.key for v in profile.values_of(org)] == ["plan", "region"]
    assert [(v.field.label, v.text) for v in profile.values_of(org, filled=True)] == [
        ("Region", "EMEA")
    ]
    assert profile.values_of(None) == []


def test_a_merge_fills_the_targets_missing_values_from_the_source(admin, agent):
    from tickets.services import customer_merge

    define(admin, target=CUSTOMER, key="success_manager", label="Success manager")
    define(admin, target=CUSTOMER, key="title", label="Title")
    source = factories.CustomerFactory(fields={"success_manager": "Ada", "title": "CTO"})
    target = factories.CustomerFactory(fields={"title": "Developer"})
    customer_merge(source=source, target=target, by=agent)
    target.refresh_from_db()
    assert target.fields == {"success_manager": "Ada", "title": "Developer"}
    event = CustomerEvent.objects.get(customer=target)
    assert event.data["changes"] == {"success_manager": {"old": None, "new": "Ada"}}
