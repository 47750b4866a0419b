"""Routing rules and triggers on a ticket's product, version and component, and a product's
support address setting the product of mail."""

import pytest

from portal.services import ticket_submit
from tests import factories
from tests.tickets.mail.conftest import build_mail
from tickets import services
from tickets.automation.schema import RuleError, validate_rule
from tickets.mail.inbound import inbound_process, inbound_store
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def mobile(db):
    product = factories.ProductFactory(name="Mobile", support_email="mobile@acme.test")
    factories.VersionFactory(product=product, name="2.2")
    factories.VersionFactory(product=product, name="2.3")
    return product


def test_a_portal_request_is_routed_by_its_product(general, billing, routing_rule, mobile):
    routing_rule(
        "Mobile to billing",
        {"all": [{"field": "product", "operator": "is", "value": mobile.pk}]},
        [{"action": "set_team", "value": billing.pk}],
    )
    customer = factories.CustomerFactory()
    about = ticket_submit(customer=customer, subject="Crash", body="x", product=mobile)
    other = ticket_submit(customer=customer, subject="Crash", body="x")
    about.refresh_from_db()
    other.refresh_from_db()
    assert (about.team, other.team) == (billing, general)


def test_a_trigger_sees_the_version_change_from_and_to(trigger, ticket, agent, mobile):
    old, new = mobile.versions.get(name="2.2"), mobile.versions.get(name="2.3")
    trigger(
        "Upgraded",
        {
            "all": [
                {"field": "version", "operator": "changed_from", "value": old.pk},
                {"field": "version", "operator": "changed_to", "value": new.pk},
            ]
        },
        [{"action": "add_tags", "value": "upgraded"}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"product": mobile, "version": old})
    assert not ticket.tags.filter(name="upgraded").exists()
    old.name = "2.2 (renamed)"
    old.save()  # the rule keeps matching by id, whatever the version is called now
    services.ticket_update(ticket=ticket, by=agent, changes={"version": new})
    assert ticket.tags.filter(name="upgraded").exists()


def test_a_product_condition_takes_an_id():
    with pytest.raises(RuleError, match="id of a product"):
        validate_rule(
            conditions={"all": [{"field": "product", "operator": "is", "value": "mobile"}]},
            actions=[{"action": "add_tags", "value": "x"}],
        )


def test_mail_to_a_products_address_is_about_that_product(general, mobile, settings):
    settings.DEFAULT_FROM_EMAIL = "support@localhost"
    raw = build_mail(to="Mobile support <mobile@acme.test>", subject="App crashes")
    row, _ = inbound_store(raw=raw)
    inbound_process(inbound_id=row.pk)
    assert Ticket.objects.get(subject="App crashes").product == mobile
