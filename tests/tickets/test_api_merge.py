"""``POST /api/v1/tickets/{id}/merge``: agents fold a ticket into another through ticket_merge."""

from __future__ import annotations

import pytest
import requests

from accounts.tokens import api_token_create
from tests import factories
from tickets.models import MessageKind, Status, Ticket

pytestmark = pytest.mark.django_db


def test_agent_merges_a_ticket_into_another(api, agent, team, ticket):
    factories.MessageFactory(ticket=ticket, body_text="first words")
    target = factories.TicketFactory(team=team, requester=ticket.requester)
    response = api(agent).post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk})
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == target.pk
    assert response["ETag"]
    ticket.refresh_from_db()
    assert ticket.merged_into_id == target.pk
    assert ticket.status == Status.SOLVED
    assert target.messages.filter(kind=MessageKind.REPLY, body_text="first words").exists()


def test_merge_into_itself_is_409_with_the_domain_message(api, agent, ticket):
    response = api(agent).post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": ticket.pk})
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "A ticket can't be merged into itself."
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_merge_twice_is_409(api, agent, team, ticket):
    target = factories.TicketFactory(team=team, requester=ticket.requester)
    client = api(agent)
    assert client.post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk}).status_code
    again = client.post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk})
    assert again.status_code == 409
    assert "already merged" in again.json()["error"]["message"]


def test_target_out_of_reach_is_404_and_nothing_changes(api, agent, ticket):
    hidden = factories.TicketFactory(team=factories.TeamFactory())
    response = api(agent).post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": hidden.pk})
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"into_id": ["No such ticket to merge into."]}
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_unknown_target_is_404(api, agent, ticket):
    response = api(agent).post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": 999_999})
    assert response.status_code == 404


def test_source_out_of_reach_is_404(api, other_agent, team, ticket):
    target = factories.TicketFactory(team=other_agent.teams.first())
    response = api(other_agent).post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk})
    assert response.status_code == 404


def test_customer_cannot_merge_even_their_own_tickets(api):
    user = factories.CustomerUserFactory()
    one = factories.TicketFactory(requester=user.customer)
    two = factories.TicketFactory(requester=user.customer)
    response = api(user).post(f"/api/v1/tickets/{one.pk}/merge", {"into_id": two.pk})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=one.pk).merged_into_id is None


def test_read_only_token_cannot_merge(api, agent, team, ticket):
    target = factories.TicketFactory(team=team)
    response = api(agent, read_only=True).post(
        f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk}
    )
    assert response.status_code == 403


def test_missing_or_unknown_fields_are_400(api, agent, ticket):
    client = api(agent)
    assert client.post(f"/api/v1/tickets/{ticket.pk}/merge", {}).json()["error"]["fields"] == {
        "into_id": ["This field is required."]
    }
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": ticket.pk, "force": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"force": ["Unknown field."]}


def test_stale_if_match_is_412(api, agent, team, ticket):
    target = factories.TicketFactory(team=team)
    response = api(agent).post(
        f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk}, HTTP_IF_MATCH='"1-1"'
    )
    assert response.status_code == 412
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_idempotency_key_replays_the_merge(api, agent, team, ticket):
    target = factories.TicketFactory(team=team, requester=ticket.requester)
    client = api(agent)
    url = f"/api/v1/tickets/{ticket.pk}/merge"
    first = client.post(url, {"into_id": target.pk}, HTTP_IDEMPOTENCY_KEY="merge-1")
    second = client.post(url, {"into_id": target.pk}, HTTP_IDEMPOTENCY_KEY="merge-1")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert target.messages.filter(kind=MessageKind.NOTE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_merge_over_real_http(live_server):
    team = factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team])
    source = factories.TicketFactory(team=team)
    target = factories.TicketFactory(team=team, requester=source.requester)
    _, raw = api_token_create(user=agent, name="script")
    headers = {"Authorization": f"Bearer {raw}"}
    url = f"{live_server.url}/api/v1/tickets/{source.pk}/merge"
    merged = requests.post(url, json={"into_id": target.pk}, headers=headers, timeout=10)
    assert merged.status_code == 200, merged.text
    assert merged.json()["id"] == target.pk
    again = requests.post(url, json={"into_id": source.pk}, headers=headers, timeout=10)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_different_requesters_are_refused_unless_confirmed(api, agent, team, ticket):
    target = factories.TicketFactory(team=team)
    client = api(agent)
    refused = client.post(f"/api/v1/tickets/{ticket.pk}/merge", {"into_id": target.pk})
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert ticket.requester.email in message and target.requester.email in message
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None
    confirmed = client.post(
        f"/api/v1/tickets/{ticket.pk}/merge",
        {"into_id": target.pk, "other_requester": True},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.json()
    ticket.refresh_from_db()
    assert ticket.merged_into_id == target.pk
