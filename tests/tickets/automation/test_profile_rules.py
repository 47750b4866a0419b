"""Routing rules and triggers on organization and customer fields (``organization.<key>``,
``customer.<key>``): checked against the field's kind when saved, compiled like every other
condition, and the same answers from the compiler and the interpreter."""

import pytest

from customers import fields as profile
from portal.services import ticket_submit
from support.customfields import FieldKind
from tests import factories
from tests.customers.profile_setup import CUSTOMER, define, define_plan
from tickets import services
from tickets.automation.compiled import compile_conditions
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.automation.schema import RuleError, validate_rule

pytestmark = pytest.mark.django_db


def c(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


@pytest.fixture
def fields(admin_user):
    define_plan(admin_user)
    define(admin_user, key="seats", kind=FieldKind.NUMBER, label="Seats")
    define(admin_user, key="account_value", kind=FieldKind.DECIMAL, label="Account value")
    define(admin_user, key="region", label="Region")
    define(admin_user, key="renewal", kind=FieldKind.DATE, label="Renewal")
    define(
        admin_user,
        key="addons",
        kind=FieldKind.MULTI_CHOICE,
        label="Add-ons",
        choices=[{"value": "sso"}, {"value": "audit"}],
    )
    define(admin_user, target=CUSTOMER, key="vip", kind=FieldKind.CHECKBOX, label="VIP")


@pytest.fixture
def acme(fields, agent):
    org = factories.OrganizationFactory(name="Acme")
    profile.organization_set_fields(
        organization=org,
        values={
            "plan": "enterprise",
            "seats": 250,
            "account_value": "48000.00",
            "region": "EMEA North",
            "renewal": "2027-03-01",
            "addons": ["sso"],
        },
        by=agent,
    )
    return org


def test_a_rule_routes_a_ticket_by_its_organizations_plan(
    general, billing, routing_rule, acme, agent
):
    routing_rule(
        "Enterprise to the priority desk",
        {"all": [c("organization.plan", "is", "enterprise")]},
        [{"action": "set_team", "value": billing.pk}, {"action": "set_priority", "value": "high"}],
    )
    big = ticket_submit(
        customer=factories.CustomerFactory(organization=acme), subject="Down", body="x"
    )
    small_org = factories.OrganizationFactory(name="Tiny", fields={"plan": "free"})
    small = ticket_submit(
        customer=factories.CustomerFactory(organization=small_org), subject="Down", body="x"
    )
    lone = ticket_submit(customer=factories.CustomerFactory(), subject="Down", body="x")
    for ticket in (big, small, lone):
        ticket.refresh_from_db()
    assert (big.team, big.priority) == (billing, "high")
    assert (small.team, lone.team) == (general, general)


def test_a_trigger_tags_a_vip_customers_ticket(trigger, fields, team, agent):
    trigger(
        "VIP",
        {"all": [c("event", "is", "created"), c("customer.vip", "is_set")]},
        [{"action": "add_tags", "value": "vip"}],
    )
    vip = factories.CustomerFactory()
    profile.customer_set_fields(customer=vip, values={"vip": True}, by=agent)
    tagged = services.ticket_create(requester=vip, subject="Hi", body="x", team=team, by=agent)
    plain = services.ticket_create(
        requester=factories.CustomerFactory(), subject="Hi", body="x", team=team, by=agent
    )
    assert list(tagged.tags.values_list("name", flat=True)) == ["vip"]
    assert not plain.tags.exists()


@pytest.mark.parametrize(
    ("cond", "holds"),
    [
        (c("organization.plan", "is", "enterprise"), True),
        (c("organization.plan", "is_not", "enterprise"), False),
        (c("organization.plan", "is", "pro"), False),
        (c("organization.seats", "greater_than", 100), True),
        (c("organization.seats", "greater_than", "250"), False),
        (c("organization.seats", "less_than", 1000), True),
        (c("organization.seats", "is", "250"), True),
        (c("organization.account_value", "greater_than", "47999.99"), True),
        (c("organization.account_value", "is", 48000), True),
        (c("organization.region", "contains", "emea"), True),
        (c("organization.region", "is", "emea north"), True),
        (c("organization.region", "not_contains", "apac"), True),
        (c("organization.renewal", "less_than", "2027-06-30"), True),
        (c("organization.renewal", "greater_than", "2027-06-30"), False),
        (c("organization.addons", "contains", "sso"), True),
        (c("organization.addons", "not_contains", "audit"), True),
        (c("organization.plan", "is_set"), True),
        (c("organization.plan", "is_not_set"), False),
        (c("customer.vip", "is_set"), False),
        (c("customer.vip", "is_not_set"), True),
    ],
)
def test_compiled_and_interpreted_conditions_agree(acme, team, cond, holds):
    customer = factories.CustomerFactory(organization=acme)
    ticket = factories.TicketFactory(team=team, requester=customer, organization=acme)
    validate_rule({"all": [cond]}, [{"action": "add_tags", "value": "x"}])
    facts = Facts(ticket, [])
    assert conditions_hold(facts, {"all": [cond]}) is holds
    assert compile_conditions({"all": [cond]})(Facts(ticket, [])) is holds


def test_a_ticket_without_an_organization_has_no_organization_values(fields, team):
    ticket = factories.TicketFactory(team=team, organization=None)
    facts = Facts(ticket, [])
    assert conditions_hold(facts, {"all": [c("organization.plan", "is_not_set")]})
    assert not conditions_hold(facts, {"all": [c("organization.plan", "is", "pro")]})
    assert not conditions_hold(facts, {"all": [c("organization.seats", "greater_than", 1)]})


@pytest.mark.parametrize(
    ("cond", "where", "says"),
    [
        (c("organization.tier", "is", "x"), "conditions.all[0].field", "no organization field"),
        (c("organization.plan", "contains", "ent"), "conditions.all[0].operator", "use one of"),
        (c("organization.plan", "is", "gold"), "conditions.all[0].value", "not one of"),
        (c("organization.seats", "greater_than", "many"), "conditions.all[0].value", "whole"),
        (c("customer.vip", "is", True), "conditions.all[0].operator", "is_set"),
        (c("organization.region", "is", ""), "conditions.all[0].value", "give a value"),
    ],
)
def test_a_bad_condition_is_refused_naming_where(fields, cond, where, says):
    with pytest.raises(RuleError) as caught:
        validate_rule({"all": [cond]}, [{"action": "add_tags", "value": "x"}])
    assert caught.value.field == where
    assert says in caught.value.message


def test_the_api_refuses_an_unknown_organization_field_naming_it(api, admin_user, fields):
    response = api(admin_user).post(
        "/api/v1/routing-rules",
        {
            "name": "By tier",
            "conditions": {"all": [c("organization.tier", "is", "gold")]},
            "actions": [{"action": "set_priority", "value": "high"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "conditions.all[0].field" in response.json()["error"]["fields"]
    ok = api(admin_user).post(
        "/api/v1/routing-rules",
        {
            "name": "By plan",
            "conditions": {"all": [c("organization.plan", "is", "enterprise")]},
            "actions": [{"action": "set_priority", "value": "high"}],
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()


def test_the_rule_form_lists_the_organization_and_customer_fields(client, admin_user, fields):
    from django.urls import reverse

    client.force_login(admin_user)
    page = client.get(reverse("automation:new", args=["routing"])).content.decode()
    assert "<code>organization.plan</code>" in page
    assert "is, is_not, is_set, is_not_set: free, pro, enterprise" in page
    assert "<code>customer.vip</code>" in page
