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
