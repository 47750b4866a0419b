"""The shared API machinery: idempotency keys, ETag/If-Match, rate limits, the error shape."""

from __future__ import annotations

import pytest

from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _new_ticket(client, customer, key, subject="Printer on fire"):
    return client.post(
        "/api/v1/tickets",
        {"requester_id": customer.pk, "subject": subject, "body": "Help"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_same_idempotency_key_and_body_replays_the_first_response(api, agent, customer):
    client = api(agent)
    first = _new_ticket(client, customer, "k-1")
    second = _new_ticket(client, customer, "k-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert second["ETag"] == first["ETag"]
    assert Ticket.objects.count() == 1


def test_same_idempotency_key_with_a_different_body_is_409(api, agent, customer):
    client = api(agent)
    _new_ticket(client, customer, "k-2")
    response = _new_ticket(client, customer, "k-2", subject="Another")
    assert response.status_code == 409
    assert "Idempotency-Key" in response.json()["error"]["message"]
    assert Ticket.objects.count() == 1


def test_idempotency_keys_are_per_user(api, agent, customer, team):
    other = factories.AgentFactory(teams=[team])
    _new_ticket(api(agent), customer, "shared")
    assert _new_ticket(api(other), customer, "shared").status_code == 201
    assert Ticket.objects.count() == 2


def test_etag_and_if_match(api, agent, ticket):
    client = api(agent)
    etag = client.get(f"/api/v1/tickets/{ticket.pk}")["ETag"]
    ok = client.patch(
        f"/api/v1/tickets/{ticket.pk}", {"priority": "high"}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200 and ok["ETag"] != etag
    stale = client.patch(
        f"/api/v1/tickets/{ticket.pk}", {"priority": "low"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412
    body = stale.json()["error"]
    assert body["code"] == "precondition_failed"
    assert body["current"]["priority"] == "high"
    assert stale["ETag"] == ok["ETag"]
    ticket.refresh_from_db()
    assert ticket.priority == "high"


def test_rate_limit_per_token_answers_429_with_headers(api, agent, settings):
    settings.API_RATE_LIMIT_USER = 3
    client = api(agent)
    responses = [client.get("/api/v1/tickets") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0]["X-RateLimit-Limit"] == "3"
    assert responses[0]["X-RateLimit-Remaining"] == "2"
    limited = responses[-1]
    assert int(limited["Retry-After"]) >= 1
    assert limited["X-RateLimit-Remaining"] == "0"
    assert limited.json()["error"]["code"] == "rate_limited"
    # Another token has its own budget.
    assert api(agent).get("/api/v1/tickets").status_code == 200


def test_anonymous_calls_are_limited_per_ip_even_with_bad_tokens(client, settings):
    settings.API_RATE_LIMIT_ANON = 2
    codes = [
        client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer sb_wrong").status_code
        for _ in range(3)
    ]
    assert codes == [401, 401, 429]


def test_schema_is_openapi_31_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "://" not in docs.replace("http://testserver", "")  # nothing from a CDN


def test_idempotency_key_is_freed_when_the_request_crashes(api, agent, customer, monkeypatch):
    from accounts.models import ApiIdempotencyKey
    from tickets import services

    def boom(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "ticket_create", boom)
    client = api(agent)
    client.raise_request_exception = False
    assert _new_ticket(client, customer, "k-crash").status_code == 500
    assert not ApiIdempotencyKey.objects.filter(key="k-crash").exists()


def test_if_none_match_answers_304_while_unchanged(api, agent, ticket):
    client = api(agent)
    etag = client.get(f"/api/v1/tickets/{ticket.pk}")["ETag"]
    assert client.get(f"/api/v1/tickets/{ticket.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 304
    client.patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "high"}, format="json")
    assert client.get(f"/api/v1/tickets/{ticket.pk}", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_json_list_items_of_the_wrong_type_are_refused_not_coerced():
    from rest_framework import serializers

    from support.api.serializers import json_type_errors

    fields = {"tags": serializers.ListField(child=serializers.CharField())}
    assert json_type_errors(fields, {"tags": [0]}) == {"tags": ["Every item must be a string."]}
    assert json_type_errors(fields, {"tags": ["0"]}) == {}
