"""Feedback in ``/api/v1/``: items with demand, ticket links, CSAT responses — through the same
services and selectors as the pages and the signed CSAT link."""

from __future__ import annotations

import pytest
import requests

from accounts.tokens import api_token_create
from feedback.models import CsatSurvey, FeedbackItem, ItemStatus, Rating, TicketFeedbackLink
from feedback.services import (
    csat_survey_answer,
    csat_survey_schedule,
    csat_survey_send,
    feedback_item_create,
    feedback_link_create,
)
from tests import factories
from tickets.models import Status
from tickets.services import ticket_change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


@pytest.fixture
def item(pm):
    return feedback_item_create(title="Single sign-on", area="Auth", by=pm)


def _sent_survey(ticket):
    ticket_change_status(ticket=ticket, status=Status.SOLVED, by=factories.AdminFactory())
    survey = csat_survey_schedule(ticket=ticket)
    return csat_survey_send(survey=survey, mail=False)


# --- items ----------------------------------------------------------------------------------


def test_list_items_with_demand(api, agent, team, item, pm):
    org = factories.OrganizationFactory()
    for _ in range(2):
        requester = factories.CustomerFactory(organization=org)
        feedback_link_create(
            ticket=factories.TicketFactory(team=team, requester=requester), item=item, by=agent
        )
    quiet = feedback_item_create(title="Dark mode", by=pm)
    response = api(pm).get("/api/v1/feedback-items?ordering=-demand")
    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [item.pk, quiet.pk]
    assert rows[0]["demand"] == 2
    assert rows[0]["customer_count"] == 2
    assert rows[0]["organization_count"] == 1
    assert rows[1]["demand"] == 0


def test_list_filters_and_refuses_unknown_parameters(api, agent, item, pm):
    feedback_item_create(title="Export to CSV", area="Reports", kind="improvement", by=pm)
    client = api(agent)
    rows = client.get("/api/v1/feedback-items?kind=improvement").json()["results"]
    assert [row["title"] for row in rows] == ["Export to CSV"]
    assert [r["id"] for r in client.get("/api/v1/feedback-items?q=sign").json()["results"]] == [
        item.pk
    ]
    assert client.get("/api/v1/feedback-items?owner__password=x").status_code == 400
    assert client.get("/api/v1/feedback-items?ordering=owner__email").status_code == 400


def test_agent_creates_an_item(api, agent, pm):
    response = api(agent).post(
        "/api/v1/feedback-items",
        {"title": "Bulk export", "kind": "feature_request", "owner_id": pm.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner_id"] == pm.pk
    assert body["created_by_id"] == agent.pk
    assert body["demand"] == 0
    assert response["Location"] == f"/api/v1/feedback-items/{body['id']}"
    assert response["ETag"]


def test_owner_must_be_a_product_manager(api, agent):
    response = api(agent).post(
        "/api/v1/feedback-items", {"title": "X", "owner_id": agent.pk}, format="json"
    )
    assert response.status_code == 400
    assert "owner_id" in response.json()["error"]["fields"]


def test_pm_changes_status_and_fields_through_the_services(api, pm, item):
    client = api(pm)
    etag = client.get(f"/api/v1/feedback-items/{item.pk}")["ETag"]
    response = client.patch(
        f"/api/v1/feedback-items/{item.pk}",
        {"status": "planned", "public_note": "Coming in Q3", "area": "Security"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.status, item.public_note, item.area) == ("planned", "Coming in Q3", "Security")
    assert item.status_changed_at is not None
    assert response["ETag"] != etag


def test_stale_if_match_is_412_with_the_current_item(api, pm, item):
    response = api(pm).patch(
        f"/api/v1/feedback-items/{item.pk}", {"title": "New"}, format="json", HTTP_IF_MATCH='"1-2"'
    )
    assert response.status_code == 412
    assert response.json()["error"]["current"]["title"] == "Single sign-on"


def test_agent_cannot_change_status_and_nothing_changes(api, agent, item):
    response = api(agent).patch(
        f"/api/v1/feedback-items/{item.pk}",
        {"title": "Renamed", "status": "shipped"},
        format="json",
    )
    assert response.status_code == 403
    item.refresh_from_db()
    assert (item.title, item.status) == ("Single sign-on", ItemStatus.NEW)


def test_customers_get_404_for_feedback(api, item):
    user = factories.CustomerUserFactory()
    client = api(user)
    assert client.get("/api/v1/feedback-items").status_code == 404
    assert client.get(f"/api/v1/feedback-items/{item.pk}").status_code == 404
    assert client.get("/api/v1/csat-responses").status_code == 404


# --- links ----------------------------------------------------------------------------------


def test_agent_links_and_unlinks_a_ticket(api, agent, ticket, item):
    client = api(agent)
    url = f"/api/v1/tickets/{ticket.pk}/feedback-links"
    created = client.post(
        url, {"item_id": item.pk, "importance": "blocker", "quote": "We need SSO"}, format="json"
    )
    assert created.status_code == 201, created.json()
    link = created.json()
    assert link["customer_id"] == ticket.requester_id
    assert link["importance"] == "blocker"
    assert [row["id"] for row in client.get(url).json()["results"]] == [link["id"]]

    again = client.post(url, {"item_id": item.pk}, format="json")
    assert again.status_code == 409

    assert client.delete(f"{url}/{link['id']}").status_code == 204
    assert not TicketFeedbackLink.objects.exists()
    assert client.delete(f"{url}/{link['id']}").status_code == 404


def test_links_on_a_ticket_out_of_reach_are_404(api, other_agent, ticket, item):
    url = f"/api/v1/tickets/{ticket.pk}/feedback-links"
    client = api(other_agent)
    assert client.get(url).status_code == 404
    assert client.post(url, {"item_id": item.pk}, format="json").status_code == 404


def test_link_to_unknown_item_is_404_naming_the_field(api, agent, ticket):
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/feedback-links", {"item_id": 999_999}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"item_id": ["No such feedback item."]}


def test_customer_cannot_see_links_of_their_own_ticket(api, item):
    user = factories.CustomerUserFactory()
    own = factories.TicketFactory(requester=user.customer)
    assert api(user).get(f"/api/v1/tickets/{own.pk}/feedback-links").status_code == 404


# --- CSAT -----------------------------------------------------------------------------------


def test_customer_reads_and_rates_their_solved_ticket(api):
    user = factories.CustomerUserFactory()
    own = factories.TicketFactory(requester=user.customer, team=factories.TeamFactory())
    _sent_survey(own)
    client = api(user)
    url = f"/api/v1/tickets/{own.pk}/csat"
    assert client.get(url).json()["rating"] == ""
    first_comment = client.post(url, {"comment": "x"}, format="json")
    assert first_comment.status_code == 400
    assert "rating" in first_comment.json()["error"]["fields"]
    rated = client.post(url, {"rating": "good", "comment": "Quick and kind"}, format="json")
    assert rated.status_code == 200, rated.json()
    survey = CsatSurvey.objects.get(ticket=own)
    assert (survey.rating, survey.comment) == (Rating.GOOD, "Quick and kind")
    changed = client.post(url, {"comment": "Still happy"}, format="json")
    assert changed.json()["rating"] == "good"
    assert changed.json()["comment"] == "Still happy"


def test_customer_cannot_rate_someone_elses_ticket_or_an_unsent_survey(api, ticket):
    _sent_survey(ticket)
    user = factories.CustomerUserFactory()
    response = api(user).post(f"/api/v1/tickets/{ticket.pk}/csat", {"rating": "bad"})
    assert response.status_code == 404
    own = factories.TicketFactory(requester=user.customer)
    ticket_change_status(ticket=own, status=Status.SOLVED, by=factories.AdminFactory())
    csat_survey_schedule(ticket=own)  # scheduled, not sent yet
    assert api(user).get(f"/api/v1/tickets/{own.pk}/csat").status_code == 404


def test_agent_reads_a_tickets_survey_but_cannot_rate(api, agent, ticket):
    _sent_survey(ticket)
    client = api(agent)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/csat").status_code == 200
    response = client.post(f"/api/v1/tickets/{ticket.pk}/csat", {"rating": "good"})
    assert response.status_code == 403


def test_csat_responses_by_role(api, agent, other_agent, pm, ticket):
    survey = _sent_survey(ticket)
    csat_survey_answer(survey=survey, rating=Rating.BAD, comment="Slow", notify=False)
    unanswered = factories.TicketFactory(team=ticket.team)
    _sent_survey(unanswered)
    for user, expected in ((agent, [survey.pk]), (pm, [survey.pk]), (other_agent, [])):
        rows = api(user).get("/api/v1/csat-responses").json()["results"]
        assert [row["id"] for row in rows] == expected
    assert api(pm).get("/api/v1/csat-responses?rating=good").json()["results"] == []
    assert api(agent).get(f"/api/v1/csat-responses/{survey.pk}").json()["comment"] == "Slow"
    assert api(other_agent).get(f"/api/v1/csat-responses/{survey.pk}").status_code == 404


def test_read_only_customer_token_cannot_rate(api):
    user = factories.CustomerUserFactory()
    own = factories.TicketFactory(requester=user.customer)
    _sent_survey(own)
    response = api(user, read_only=True).post(f"/api/v1/tickets/{own.pk}/csat", {"rating": "bad"})
    assert response.status_code == 403


@pytest.mark.django_db(transaction=True)
def test_customer_rates_over_real_http(live_server):
    user = factories.CustomerUserFactory()
    own = factories.TicketFactory(requester=user.customer)
    _sent_survey(own)
    _, raw = api_token_create(user=user, name="widget")
    response = requests.post(
        f"{live_server.url}/api/v1/tickets/{own.pk}/csat",
        json={"rating": "good"},
        headers={"Authorization": f"Bearer {raw}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert CsatSurvey.objects.get(ticket=own).rating == Rating.GOOD
    assert FeedbackItem.objects.count() == 0


def test_paging_by_demand_is_stable(api, agent, team, pm):
    items = [feedback_item_create(title=f"Item {n}", by=pm) for n in range(4)]
    for count, item in zip((2, 1, 1, 0), items, strict=True):
        for _ in range(count):
            feedback_link_create(ticket=factories.TicketFactory(team=team), item=item, by=agent)
    client = api(pm)
    seen, url = [], "/api/v1/feedback-items?ordering=-demand&page_size=1"
    while url:
        page = client.get(url).json()
        seen += [(row["id"], row["demand"]) for row in page["results"]]
        url = page["next"]
    assert [demand for _, demand in seen] == [2, 1, 1, 0]
    assert sorted(pk for pk, _ in seen) == sorted(item.pk for item in items)
