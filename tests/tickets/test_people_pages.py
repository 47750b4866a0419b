"""The agent's customer and organization pages: details (editable), their tickets in keyset
pages, members, merging two contacts after a preview; people and organizations in the search;
links from the ticket page. Permissions and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Customer
from customers.services import organization_create
from tests import factories
from tickets import services
from tickets.models import EventKind, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def org():
    return organization_create(name="Acme Robotics", domains=["acme.example"])


@pytest.fixture
def jordan(org):
    return factories.CustomerFactory(
        email="jordan@acme.example", name="Jordan Lee", organization=org, notes="Prefers mail."
    )


def test_customer_page_shows_details_and_their_tickets(signed_in, team, jordan):
    factories.TicketFactory(team=team, requester=jordan, subject="Export stops at 10,000 rows")
    hidden = factories.TicketFactory(
        team=factories.TeamFactory(), requester=jordan, subject="Other team's secret"
    )
    page = signed_in.get(reverse("people:customer", args=[jordan.pk])).content.decode()
    assert "<h1>Jordan Lee</h1>" in page
    assert "Export stops at 10,000 rows" in page
    assert "Prefers mail." in page
    assert "Acme Robotics" in page
    assert hidden.subject not in page  # only tickets the agent may see


def test_customer_tickets_are_keyset_paged(signed_in, team, jordan):
    for n in range(30):
        factories.TicketFactory(team=team, requester=jordan, subject=f"Ticket number {n:02d}")
    url = reverse("people:customer", args=[jordan.pk])
    first = signed_in.get(url)
    assert first.context["page"].next_cursor
    shown = {t.pk for t in first.context["page"].rows}
    assert len(shown) == 25
    second = signed_in.get(url, {"cursor": first.context["page"].next_cursor})
    rest = {t.pk for t in second.context["page"].rows}
    assert len(rest) == 5 and not shown & rest
    assert second.context["page"].prev_cursor


def test_customer_page_edits_details(signed_in, jordan, org):
    other = organization_create(name="Beta Ltd")
    response = signed_in.post(
        reverse("people:customer", args=[jordan.pk]),
        {
            "name": "Jordan A. Lee",
            "email": "Jordan.Lee@beta.example",
            "phone": "+49 30 1234",
            "organization": "beta ltd",
            "notes": "VIP",
            "is_org_manager": "1",
        },
    )
    assert response.status_code == 302
    jordan.refresh_from_db()
    assert (jordan.name, jordan.email, jordan.phone) == (
        "Jordan A. Lee",
        "jordan.lee@beta.example",
        "+49 30 1234",
    )
    assert jordan.organization == other and jordan.is_org_manager and jordan.notes == "VIP"


def test_customer_page_refuses_another_contacts_address_at_the_field(signed_in, jordan):
    factories.CustomerFactory(email="taken@example.org")
    response = signed_in.post(
        reverse("people:customer", args=[jordan.pk]),
        {"name": "J", "email": "TAKEN@example.org", "organization": "", "notes": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="e-email"' in page and "merge the two instead" in page
    jordan.refresh_from_db()
    assert jordan.email == "jordan@acme.example"


def test_an_unknown_organization_is_a_field_error(signed_in, jordan):
    response = signed_in.post(
        reverse("people:customer", args=[jordan.pk]),
        {"name": "J", "email": jordan.email, "organization": "Nowhere Inc"},
    )
    assert response.status_code == 400
    assert "no organization called" in response.content.decode()


def test_organization_page_lists_members_and_tickets_and_edits(signed_in, team, org, jordan):
    factories.TicketFactory(team=team, requester=jordan, organization=org, subject="Robot arm")
    url = reverse("people:organization", args=[org.pk])
    page = signed_in.get(url).content.decode()
    assert "<h1>Acme Robotics</h1>" in page and "Jordan Lee" in page and "Robot arm" in page
    assert "acme.example" in page
    response = signed_in.post(
        url,
        {"name": "Acme Robotics GmbH", "notes": "Key account", "domains": "acme.example, acme.de"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Acme Robotics GmbH" and org.notes == "Key account"
    assert sorted(org.domains.values_list("domain", flat=True)) == ["acme.de", "acme.example"]
    bad = signed_in.post(url, {"name": "Acme", "domains": "not a domain"})
    assert bad.status_code == 400


@pytest.mark.parametrize("name", ["people:customer", "people:organization"])
def test_customers_and_visitors_cannot_open_people_pages(client, jordan, org, name):
    pk = jordan.pk if name == "people:customer" else org.pk
    url = reverse(name, args=[pk])
    assert client.get(url).status_code in (302, 403)
    client.force_login(factories.CustomerUserFactory())
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"name": "Hacked", "email": "x@example.org"})
    assert response.status_code in (403, 404)
    jordan.refresh_from_db()
    org.refresh_from_db()
    assert jordan.name == "Jordan Lee" and org.name == "Acme Robotics"


def test_unknown_ids_are_404(signed_in):
    assert signed_in.get(reverse("people:customer", args=[999])).status_code == 404
    assert signed_in.get(reverse("people:organization", args=[999])).status_code == 404


def test_merge_preview_then_merge_moves_tickets_messages_and_login(signed_in, team, jordan):
    portal = factories.CustomerUserFactory(email="j.lee@gmail.example", name="J Lee")
    duplicate = portal.customer
    moved = factories.TicketFactory(team=team, requester=duplicate, subject="From gmail")
    url = reverse("people:customer_merge", args=[jordan.pk])
    found = signed_in.get(url, {"q": "gmail"}).content.decode()
    assert "j.lee@gmail.example" in found
    preview = signed_in.get(url, {"source": duplicate.pk}).content.decode()
    assert "Nothing has changed yet" in preview
    assert "1 ticket moves" in preview and "portal login moves here" in preview
    assert Ticket.objects.get(pk=moved.pk).requester == duplicate  # preview changed nothing
    response = signed_in.post(url, {"source": duplicate.pk})
    assert response.status_code == 302
    moved.refresh_from_db()
    assert moved.requester == jordan
    assert moved.events.filter(kind=EventKind.REQUESTER_CHANGED).exists()
    assert moved.messages.filter(author_customer=jordan).exists()
    duplicate.refresh_from_db()
    jordan.refresh_from_db()
    assert duplicate.merged_into == jordan and jordan.user_id == portal.pk
    page = signed_in.get(reverse("people:customer", args=[duplicate.pk])).content.decode()
    assert "This contact was merged into" in page


def test_merging_a_contact_into_itself_is_refused(signed_in, jordan):
    url = reverse("people:customer_merge", args=[jordan.pk])
    response = signed_in.post(url, {"source": jordan.pk})
    assert response.status_code == 409
    assert "can&#x27;t be merged into itself" in response.content.decode()


def test_search_finds_people_and_organizations(signed_in, jordan, org):
    page = signed_in.get(reverse("workspace:search"), {"q": "acme"}).content.decode()
    assert reverse("people:customer", args=[jordan.pk]) in page
    assert reverse("people:organization", args=[org.pk]) in page
    page = signed_in.get(reverse("workspace:search"), {"q": "Jordan"}).content.decode()
    assert "Jordan Lee" in page and '<h2 id="people-results-title">People</h2>' in page


def test_ticket_page_links_to_the_profiles(signed_in, team, jordan, org):
    ticket = factories.TicketFactory(team=team, requester=jordan, organization=org)
    page = signed_in.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert reverse("people:customer", args=[jordan.pk]) in page
    assert reverse("people:organization", args=[org.pk]) in page


def test_people_pages_take_a_constant_number_of_queries(
    signed_in, team, org, jordan, django_assert_max_num_queries
):
    def fill(n):
        for _ in range(n):
            customer = factories.CustomerFactory(organization=org)
            factories.TicketFactory(team=team, requester=jordan, organization=org)
            factories.TicketFactory(team=team, requester=customer, organization=org)

    fill(3)
    urls = [
        reverse("people:customer", args=[jordan.pk]),
        reverse("people:organization", args=[org.pk]),
        reverse("people:customer_merge", args=[jordan.pk]) + "?q=example",
        reverse("workspace:search") + "?q=acme",
    ]
    counts = {}
    for url in urls:
        signed_in.get(url)  # warm the per-agent caches
        with django_assert_max_num_queries(40) as captured:
            assert signed_in.get(url).status_code == 200
        counts[url] = len(captured)
    fill(12)
    for url in urls:
        signed_in.get(url)
        with django_assert_max_num_queries(counts[url]):
            assert signed_in.get(url).status_code == 200


def test_customer_services_need_an_agent(jordan):
    from customers.services import customer_update
    from support.errors import NotPermitted

    user = factories.CustomerUserFactory()
    with pytest.raises(NotPermitted):
        customer_update(customer=jordan, by=user, name="x", email=jordan.email)
    assert Customer.objects.get(pk=jordan.pk).name == "Jordan Lee"
    assert services.customer_merge  # the merge itself is tested in test_services_merge


def test_profiles_show_csat_answers_and_feedback_items(signed_in, team, jordan, org, agent):
    from feedback.models import FeedbackItem, Rating
    from feedback.services import csat_survey_answer, csat_survey_schedule

    ticket = factories.TicketFactory(
        team=team, requester=jordan, organization=org, subject="Refund took long"
    )
    services.ticket_change_status(ticket=ticket, status="solved", by=agent)
    survey = csat_survey_schedule(ticket=ticket)
    csat_survey_answer(survey=survey, rating=Rating.BAD, comment="Three weeks!", notify=False)
    item = FeedbackItem.objects.create(title="Faster refunds")
    item.links.create(ticket=ticket, customer=jordan, organization=org)
    for url in (
        reverse("people:customer", args=[jordan.pk]),
        reverse("people:organization", args=[org.pk]),
    ):
        page = signed_in.get(url).content.decode()
        assert "Three weeks!" in page and "Refund took long" in page
        assert "Faster refunds" in page
