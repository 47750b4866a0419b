"""The one fixed-window counter behind every rate limit (sign-in, portal, API, auto-replies)."""

from __future__ import annotations

import ast
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.test import RequestFactory

from support import clock, ratelimit


def test_anchored_window_counts_up_to_the_limit_and_keys_are_separate():
    results = [ratelimit.hit("form", "ada@example.org", limit=2, window=60) for _ in range(3)]
    assert [r.count for r in results] == [1, 2, 3]
    assert [r.allowed for r in results] == [True, True, False]
    assert [r.remaining for r in results] == [1, 0, 0]
    assert results[0].reset_at is None and results[0].retry_after is None
    # Keys are normalised (case, surrounding space); other keys and scopes count on their own.
    assert ratelimit.hit("form", " ADA@example.org", limit=2, window=60).count == 4
    assert ratelimit.hit("form", "bob@example.org", limit=2, window=60).count == 1
    assert ratelimit.hit("other", "ada@example.org", limit=2, window=60).count == 1


def test_anchored_window_starts_at_the_first_hit_and_is_not_extended():
    ratelimit.hit("short", "k", limit=5, window=1)
    time.sleep(0.6)
    ratelimit.hit("short", "k", limit=5, window=1)  # must not push the expiry back
    time.sleep(0.6)
    assert ratelimit.hit("short", "k", limit=5, window=1).count == 1


def test_peek_does_not_count_and_clear_forgets():
    ratelimit.hit("login", "ada", limit=3, window=60)
    assert ratelimit.peek("login", "ada", limit=3, window=60).count == 1
    assert ratelimit.peek("login", "ada", limit=3, window=60).count == 1
    ratelimit.clear("login", "ada")
    assert ratelimit.peek("login", "ada", limit=3, window=60).count == 0


def test_aligned_windows_follow_the_clock_and_know_when_they_reset():
    start = datetime(2026, 11, 27, 10, 0, 50, tzinfo=UTC)
    with clock.travel(start):
        first = ratelimit.hit("api", "token:1", limit=2, window=60, aligned=True)
        ratelimit.hit("api", "token:1", limit=2, window=60, aligned=True)
        over = ratelimit.hit("api", "token:1", limit=2, window=60, aligned=True)
    assert first.reset_at == int(datetime(2026, 11, 27, 10, 1, tzinfo=UTC).timestamp())
    assert first.retry_after == 10
    assert not over.allowed and over.remaining == 0
    with clock.travel(datetime(2026, 11, 27, 10, 1, 0, tzinfo=UTC)):
        fresh = ratelimit.hit("api", "token:1", limit=2, window=60, aligned=True)
    assert fresh.count == 1 and fresh.allowed and fresh.retry_after == 60


def test_client_ip_is_remote_addr_never_a_header():
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert ratelimit.client_ip(request) == "203.0.113.9"
    assert ratelimit.client_ip(factory.get("/", REMOTE_ADDR="")) == "unknown"


@pytest.mark.django_db
def test_anonymous_api_limit_cannot_be_dodged_with_x_forwarded_for(client, settings):
    settings.API_RATE_LIMIT_ANON = 2
    codes = [
        client.get("/api/v1/tickets", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(3)
    ]
    assert codes[-1] == 429


def test_the_counter_module_imports_no_app():
    tree = ast.parse(Path(ratelimit.__file__).read_text())
    modules = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    roots = {m.split(".")[0] for m in modules if m}
    assert roots <= {"__future__", "hashlib", "math", "dataclasses", "django", "support"}
