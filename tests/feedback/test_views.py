"""Every feedback page and endpoint, for anonymous visitors, customers, agents and PMs."""

import pytest
from django.urls import reverse

from feedback.models import ItemStatus, TicketFeedbackLink
from feedback.services import (
    feedback_item_change_status,
    feedback_item_create,
    feedback_link_create,
)
from tests import factories
from tickets.mail.models import OutboundEmail


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


@pytest.fixture
def item(pm):
    return feedback_item_create(title="Single sign-on", area="Auth", by=pm)


@pytest.fixture
def link(agent, ticket, item):
    return feedback_link_create(ticket=ticket, item=item, by=agent, quote="We need SAML")


def login(client, who, *, agent, pm):
    user = {
        "anonymous": None,
        "customer": factories.CustomerUserFactory(),
        "agent": agent,
        "pm": pm,
    }[who]
    if user:
        client.force_login(user)
    return user


READ_PAGES = [
    ("feedback:item_list", lambda item, ticket: []),
    ("feedback:item_create", lambda item, ticket: []),
    ("feedback:item_detail", lambda item, ticket: [item.pk]),
]


@pytest.mark.parametrize("name,args", READ_PAGES)
@pytest.mark.parametrize(
    "who,status", [("anonymous", 302), ("customer", 404), ("agent", 200), ("pm", 200)]
)
def test_insight_pages_permissions(client, agent, pm, item, link, ticket, name, args, who, status):
    login(client, who, agent=agent, pm=pm)
    response = client.get(reverse(name, args=args(item, ticket)))
    assert response.status_code == status


@pytest.mark.parametrize(
    "who,status", [("anonymous", 302), ("customer", 404), ("agent", 200), ("pm", 404)]
)
def test_ticket_links_page_is_for_agents(client, agent, pm, ticket, link, who, status):
    login(client, who, agent=agent, pm=pm)
    assert client.get(reverse("feedback:ticket_links", args=[ticket.pk])).status_code == status


def test_ticket_links_page_hides_tickets_of_other_teams(client, other_agent, ticket):
    client.force_login(other_agent)
    assert client.get(reverse("feedback:ticket_links", args=[ticket.pk])).status_code == 404
    url = reverse("feedback:ticket_links_search", args=[ticket.pk])
    assert client.get(url, {"q": "sso"}).status_code == 404


def test_item_list_shows_demand(client, pm, link, item):
    client.force_login(pm)
    response = client.get(reverse("feedback:item_list"), {"sort": "recent"})
    assert b"Single sign-on" in response.content
    rows = list(response.context["items"])
    assert rows[0].demand == 1 and rows[0].customer_count == 1


@pytest.mark.parametrize("sort", ["demand", "recent", "new_demand", "status", "area", "created"])
def test_item_list_sorts(client, pm, link, sort):
    client.force_login(pm)
    assert client.get(reverse("feedback:item_list"), {"sort": sort}).status_code == 200


def test_item_detail_shows_quotes_and_trend(client, pm, link, item):
    client.force_login(pm)
    response = client.get(reverse("feedback:item_detail", args=[item.pk]))
    assert b"We need SAML" in response.content
    assert b"<svg" in response.content and b"<title" in response.content
    assert response.context["stats"]["customers"] == 1
    assert sum(n for _, n in response.context["trend"]) == 1


def test_search_as_you_type_finds_unlinked_items(client, agent, ticket, item, pm):
    other = feedback_item_create(title="SSO for Okta", by=pm)
    feedback_link_create(ticket=ticket, item=item, by=agent)
    client.force_login(agent)
    response = client.get(
        reverse("feedback:ticket_links_search", args=[ticket.pk]),
        {"q": "sso"},
        HTTP_HX_REQUEST="true",
    )
    assert list(response.context["items"]) == [other]


def test_agent_links_and_unlinks_through_htmx(client, agent, ticket, item):
    client.force_login(agent)
    response = client.post(
        reverse("feedback:ticket_link_add", args=[ticket.pk]),
        {"item": item.pk, "importance": "blocker", "quote": "Blocks our rollout"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Blocks our rollout" in response.content
    link = TicketFeedbackLink.objects.get()
    assert link.importance == "blocker"
    response = client.post(
        reverse("feedback:ticket_link_remove", args=[link.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not TicketFeedbackLink.objects.exists()


def test_agent_creates_item_from_ticket(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("feedback:ticket_link_new_item", args=[ticket.pk]),
        {"title": "Dark mode", "kind": "improvement", "area": "UI", "quote": "Too bright"},
    )
    assert response.status_code == 302
    link = TicketFeedbackLink.objects.get()
    assert (link.item.title, link.item.kind, link.quote) == (
        "Dark mode",
        "improvement",
        "Too bright",
    )


def test_other_team_agent_cannot_remove_a_link(client, other_agent, link):
    client.force_login(other_agent)
    assert client.post(reverse("feedback:ticket_link_remove", args=[link.pk])).status_code == 404
    assert TicketFeedbackLink.objects.exists()


def test_pm_changes_status_and_notifies(client, pm, link, item):
    client.force_login(pm)
    client.post(reverse("feedback:item_status", args=[item.pk]), {"status": "shipped"})
    item.refresh_from_db()
    assert item.status == ItemStatus.SHIPPED
    client.post(reverse("feedback:item_notify", args=[item.pk]), {"message": "Live now"})
    assert OutboundEmail.objects.filter(kind="feedback_status").count() == 1


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("customer", 404), ("agent", 403)])
def test_status_and_notify_refused_to_non_pms(client, agent, pm, item, link, who, status):
    feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    login(client, who, agent=agent, pm=pm)
    url = reverse("feedback:item_status", args=[item.pk])
    assert client.post(url, {"status": "declined"}).status_code == status
    url = reverse("feedback:item_notify", args=[item.pk])
    assert client.post(url, {"message": "x"}).status_code == status
    item.refresh_from_db()
    assert item.status == ItemStatus.SHIPPED
    assert not OutboundEmail.objects.filter(kind="feedback_status").exists()


def test_pm_creates_an_item(client, pm):
    client.force_login(pm)
    response = client.post(
        reverse("feedback:item_create"),
        {"title": "Audit log", "kind": "feature_request", "owner": pm.pk},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_ticket_links_partial_renders_as_a_ticket_page_panel(rf, agent, link, ticket):
    from django.template import Context, Template

    from tickets.workspace.panels import panels_for_ticket

    panels = panels_for_ticket(ticket=ticket, agent=agent, conversation=[])
    assert [p.template for p in panels] == [
        "feedback/_ticket_csat.html",
        "feedback/_ticket_links.html",
        "kb/_ticket_panel.html",  # the knowledge base's, registered after feedback's
    ]
    html = Template("{% load workspace %}{% side_panel panel %}").render(
        Context({"panel": panels[1], "csrf_token": "x"})
    )
    assert "Single sign-on" in html and f"fb-links-{ticket.pk}" in html
    assert 'name="csrfmiddlewaretoken" value="x"' in html


def test_agent_ticket_page_shows_feedbacks_panels_in_the_sidebar(client, agent, link, ticket):
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    others = page.index("<h2>Other tickets</h2>")
    csat = page.index(f'id="csat-summary-{ticket.pk}"')
    links = page.index(f'id="fb-links-{ticket.pk}"')
    delivery = page.index("<h2>Email delivery</h2>")
    assert others < csat < links < delivery
    assert "Single sign-on" in page[links:delivery]


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("customer", 404), ("pm", 404)])
def test_link_endpoints_refuse_non_agents(client, agent, pm, ticket, item, link, who, status):
    login(client, who, agent=agent, pm=pm)
    calls = [
        ("get", reverse("feedback:ticket_links_search", args=[ticket.pk]), {"q": "single"}),
        ("post", reverse("feedback:ticket_link_add", args=[ticket.pk]), {"item": item.pk}),
        ("post", reverse("feedback:ticket_link_new_item", args=[ticket.pk]), {"title": "X"}),
        ("post", reverse("feedback:ticket_link_remove", args=[link.pk]), {}),
    ]
    for method, url, data in calls:
        assert getattr(client, method)(url, data).status_code == status, url
    assert TicketFeedbackLink.objects.count() == 1


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("customer", 404)])
def test_item_edit_and_create_refuse_outsiders(client, agent, pm, item, who, status):
    login(client, who, agent=agent, pm=pm)
    url = reverse("feedback:item_edit", args=[item.pk])
    assert client.post(url, {"title": "Hijacked"}).status_code == status
    assert client.post(reverse("feedback:item_create"), {"title": "New"}).status_code == status
    item.refresh_from_db()
    assert item.title == "Single sign-on"


def test_pm_edits_an_item(client, pm, item):
    client.force_login(pm)
    client.post(
        reverse("feedback:item_edit", args=[item.pk]),
        {"title": "SSO (SAML and OIDC)", "kind": "feature_request", "area": "Auth", "owner": pm.pk},
    )
    item.refresh_from_db()
    assert (item.title, item.owner) == ("SSO (SAML and OIDC)", pm)


def test_pm_merges_a_duplicate_from_the_item_page(client, pm, agent, team, item, link):
    dup = feedback_item_create(title="SAML please", by=pm)
    feedback_link_create(ticket=factories.TicketFactory(team=team), item=dup, by=agent)
    client.force_login(pm)
    response = client.post(reverse("feedback:item_merge", args=[dup.pk]), {"target": item.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:item_detail", args=[item.pk])
    assert item.links.count() == 2
    dup.refresh_from_db()
    assert dup.merged_into == item


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("customer", 404)])
def test_merge_refused_to_outsiders(client, agent, pm, item, who, status):
    dup = feedback_item_create(title="SAML please", by=pm)
    login(client, who, agent=agent, pm=pm)
    url = reverse("feedback:item_merge", args=[dup.pk])
    assert client.post(url, {"target": item.pk}).status_code == status
    dup.refresh_from_db()
    assert dup.merged_into is None


def test_quote_prefill_is_the_customers_latest_reply_with_or_without_the_loaded_conversation(
    client, agent, team
):
    from datetime import timedelta

    from feedback.selectors import customer_words
    from support import clock

    ticket = factories.TicketFactory(team=team, first_message=None)
    now = clock.now()
    customer = ticket.requester
    factories.MessageFactory(
        ticket=ticket, author_customer=customer, body_text="older words", created_at=now
    )
    factories.MessageFactory(
        ticket=ticket,
        author_customer=customer,
        body_text="  latest words  ",
        created_at=now + timedelta(minutes=1),
    )
    factories.MessageFactory(
        ticket=ticket, author_user=agent, body_text="agent words", created_at=now + timedelta(2)
    )
    factories.NoteFactory(ticket=ticket, body_text="note words", created_at=now + timedelta(3))
    loaded = list(ticket.messages.all())
    assert customer_words(ticket) == customer_words(ticket, messages=loaded) == "latest words"
    assert customer_words(ticket, messages=[]) == ""
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert ">latest words</textarea>" in page
