import pytest

from feedback.models import FeedbackItem, ItemStatus, TicketFeedbackLink
from feedback.services import (
    feedback_item_change_status,
    feedback_item_create,
    feedback_item_create_from_ticket,
    feedback_item_merge,
    feedback_item_notify_customers,
    feedback_link_create,
    feedback_link_delete,
    feedback_link_update,
)
from support.errors import InvalidChange, NotFound, NotPermitted, ValidationFailed
from tests import factories
from tickets.mail.models import OutboundEmail


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


@pytest.fixture
def item(pm):
    return feedback_item_create(title="  Single   sign-on ", area="Auth", by=pm)


def test_item_create_normalizes_and_validates(item, pm, customer):
    assert item.title == "Single sign-on"
    assert item.status == ItemStatus.NEW
    with pytest.raises(ValidationFailed):
        feedback_item_create(title="   ", by=pm)
    with pytest.raises(ValidationFailed):
        feedback_item_create(title="x", kind="wish", by=pm)
    with pytest.raises(ValidationFailed):
        feedback_item_create(title="x", owner=factories.AgentFactory(), by=pm)


def test_customers_cannot_create_items(db):
    with pytest.raises(NotPermitted):
        feedback_item_create(title="x", by=factories.CustomerUserFactory())


def test_agent_links_a_ticket_for_its_requester(agent, ticket, item):
    link = feedback_link_create(
        ticket=ticket, item=item, by=agent, importance="blocker", quote=" I need SSO "
    )
    assert link.customer == ticket.requester
    assert link.organization_id == ticket.requester.organization_id
    assert link.quote == "I need SSO"
    with pytest.raises(InvalidChange):
        feedback_link_create(ticket=ticket, item=item, by=agent)


def test_linking_needs_an_agent_who_sees_the_ticket(other_agent, pm, ticket, item):
    with pytest.raises(NotFound):
        feedback_link_create(ticket=ticket, item=item, by=other_agent)
    with pytest.raises(NotPermitted):
        feedback_link_create(ticket=ticket, item=item, by=pm)


def test_bad_importance_is_refused(agent, ticket, item):
    with pytest.raises(ValidationFailed):
        feedback_link_create(ticket=ticket, item=item, by=agent, importance="urgent")


def test_link_update_and_delete(agent, ticket, item):
    link = feedback_link_create(ticket=ticket, item=item, by=agent)
    feedback_link_update(link=link, by=agent, importance="important", quote="new words")
    link.refresh_from_db()
    assert (link.importance, link.quote) == ("important", "new words")
    feedback_link_delete(link=link, by=agent)
    assert not TicketFeedbackLink.objects.exists()


def test_create_item_from_ticket_quotes_the_customer(agent, ticket):
    link = feedback_item_create_from_ticket(
        ticket=ticket, title="Export to CSV", quote="Please let me export", by=agent
    )
    assert link.item.title == "Export to CSV"
    assert link.quote == "Please let me export"
    assert link.item.created_by == agent


def test_only_product_managers_change_status(agent, pm, item):
    with pytest.raises(NotPermitted):
        feedback_item_change_status(item=item, status=ItemStatus.PLANNED, by=agent)
    feedback_item_change_status(item=item, status=ItemStatus.PLANNED, public_note="Q3", by=pm)
    item.refresh_from_db()
    assert (item.status, item.public_note) == (ItemStatus.PLANNED, "Q3")
    assert item.status_changed_at is not None


def test_merge_moves_links_without_duplicates(agent, pm, team, item):
    dup = feedback_item_create(title="SAML login", by=pm)
    shared = factories.TicketFactory(team=team)
    only_dup = factories.TicketFactory(team=team)
    feedback_link_create(ticket=shared, item=item, by=agent)
    feedback_link_create(ticket=shared, item=dup, by=agent)
    feedback_link_create(ticket=only_dup, item=dup, by=agent)
    feedback_item_merge(source=dup, target=item, by=pm)
    dup.refresh_from_db()
    assert dup.merged_into == item
    assert set(item.links.values_list("ticket_id", flat=True)) == {shared.pk, only_dup.pk}
    assert not dup.links.exists()
    assert dup not in FeedbackItem.objects.active()
    # Linking to a merged item lands on the survivor.
    third = factories.TicketFactory(team=team)
    assert feedback_link_create(ticket=third, item=dup, by=agent).item == item


def test_notify_customers_once_per_customer(agent, pm, team, item):
    org = factories.OrganizationFactory()
    alice = factories.CustomerFactory(organization=org)
    bob = factories.CustomerFactory()
    for requester in (alice, alice, bob):
        feedback_link_create(
            ticket=factories.TicketFactory(team=team, requester=requester), item=item, by=agent
        )
    with pytest.raises(InvalidChange):
        feedback_item_notify_customers(item=item, message="Hi", by=pm)
    feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    with pytest.raises(NotPermitted):
        feedback_item_notify_customers(item=item, message="Hi", by=agent)
    with pytest.raises(ValidationFailed):
        feedback_item_notify_customers(item=item, message="  ", by=pm)
    assert feedback_item_notify_customers(item=item, message="It shipped!", by=pm) == 2
    assert feedback_item_notify_customers(item=item, message="It shipped!", by=pm) == 0
    mails = OutboundEmail.objects.filter(kind="feedback_status")
    assert sorted(m.to[0] for m in mails) == sorted([alice.email, bob.email])
    assert "It shipped!" in mails.first().body_text
    item.refresh_from_db()
    assert item.notified_status == ItemStatus.SHIPPED


def test_the_status_mail_is_in_each_customers_language(agent, pm, team, item):
    hans = factories.CustomerFactory(name="Hans Meier", locale="de")
    ana = factories.CustomerFactory(name="Ana Ruiz", locale="es")
    kim = factories.CustomerFactory(name="Kim Lee")  # no language: the default
    for requester in (hans, ana, kim):
        feedback_link_create(
            ticket=factories.TicketFactory(team=team, requester=requester), item=item, by=agent
        )
    feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    feedback_item_notify_customers(item=item, message="Version 4.2 has it.", by=pm)
    mails = {m.to[0]: m for m in OutboundEmail.objects.filter(kind="feedback_status")}
    german, spanish, english = mails[hans.email], mails[ana.email], mails[kim.email]
    assert german.subject == f"Neuigkeiten zu Ihrer Anfrage: {item.title}"
    assert "Hallo Hans," in german.body_text and "Der Status ist jetzt: Ausgeliefert" in (
        german.body_text
    )
    assert spanish.subject == f"Novedades sobre su solicitud: {item.title}"
    assert (
        "Hola, Ana:" in spanish.body_text and "Su estado ahora es: Publicado" in spanish.body_text
    )
    assert english.subject == f"Update on your request: {item.title}"
    assert "Its status is now: Shipped" in english.body_text
    for mail in (german, spanish, english):
        assert "Version 4.2 has it." in mail.body_text  # the product manager's words as written
