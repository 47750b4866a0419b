"""Every answer under /api/ is JSON in the API's error shape, whatever went wrong: a bug (500),
an unknown path with any method (no CSRF page), a missing CSRF token, a trailing slash."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = json.loads(response.content)
    assert set(body["error"]) >= {"code", "message", "fields"}
    return body["error"]


def test_a_bug_in_an_api_view_is_a_json_500_and_is_logged(settings, caplog):
    settings.ROOT_URLCONF = "tests.support.boom_urls"
    response = Client(raise_request_exception=False).get("/api/v1/boom")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "a bug in the API" not in response.content.decode()  # no internals leak
    assert "RuntimeError: a bug in the API" in caplog.text


def test_a_post_to_an_unknown_api_path_is_a_json_404_not_the_csrf_page():
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.AgentFactory())
    for method in ("post", "put", "patch", "delete", "get"):
        response = getattr(client, method)("/api/v1/no-such-thing")
        assert response.status_code == 404, (method, response.status_code)
        assert error_of(response)["code"] == "not_found"


def test_a_session_write_without_the_csrf_token_is_a_json_403():
    client = Client(enforce_csrf_checks=True)
    client.force_login(factories.AgentFactory())
    response = client.post("/api/v1/tags", data={"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in error_of(response)["message"]


def test_a_trailing_slash_is_answered_with_the_path_that_exists():
    response = Client().get("/api/v1/tickets/")
    assert response.status_code == 404
    assert error_of(response)["message"] == (
        "No such endpoint: API paths have no trailing slash; use /api/v1/tickets."
    )


@pytest.mark.django_db(transaction=True)
def test_over_http_an_unknown_post_is_json(live_server):
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{live_server.url}/api/v1/nothing/here", data=b"{}", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert caught.value.code == 404
    assert caught.value.headers["Content-Type"] == "application/json"
    assert json.loads(caught.value.read())["error"]["code"] == "not_found"


def test_a_crash_before_the_answer_is_stored_leaves_nothing_and_the_retry_makes_one(
    monkeypatch, settings
):
    """The database connection drops after the ticket is written but before the Idempotency-Key
    answer is: the write must not survive without its answer, or the client's retry (which
    finds the key "in progress", then free) creates a second ticket."""
    from django.db import OperationalError

    from accounts import idempotency
    from accounts.tokens import api_token_create
    from tickets.models import Ticket

    admin = factories.AdminFactory()
    customer = factories.CustomerFactory()
    _, token = api_token_create(user=admin, name="t")
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
    body = json.dumps({"requester_id": customer.pk, "subject": "Once", "body": "Only once"})
    remember = idempotency.remember

    def connection_lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(idempotency, "remember", connection_lost)
    first = client.post(
        "/api/v1/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 500
    assert not Ticket.objects.exists()
    monkeypatch.setattr(idempotency, "remember", remember)
    retry = client.post(
        "/api/v1/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert retry.status_code == 201, retry.content
    again = client.post(
        "/api/v1/tickets", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_a_downloads_error_is_json_whatever_format_is_asked():
    from accounts.tokens import api_token_create

    _, token = api_token_create(user=factories.AdminFactory(), name="t")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(
        "/api/v1/attachments/00000000000000000000000000000000/download?format=bin"
    )
    assert response.status_code in (400, 404)
    error_of(response)


def test_a_path_with_a_line_break_is_a_json_404_too():
    response = Client().post("/api/v1/articles/%0A%5B%5D/publish")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
