"""Sign-in abuse: counters that hold under concurrency, a reset that ends a lockout, limits on
reset mails and bad API tokens (429 with a sentence), and no way to tell known addresses from
unknown ones by the answer or by the work done."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.forms import ThrottledLoginForm
from accounts.throttle import MAX_FAILURES
from tests import factories
from tickets.mail.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_cache(settings):
    """The production cache (Redis, failing open), on this helper's own Redis database."""
    settings.CACHES = {
        "default": {
            "BACKEND": "support.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/7",
            "KEY_PREFIX": "test-abuse",
        }
    }
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


def _login(client, email, password=factories.PASSWORD, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_forty_concurrent_wrong_passwords_get_at_most_the_limit_checked(redis_cache, agent):
    checked = []
    user_login_failed.connect(lambda **kw: checked.append(1), weak=False, dispatch_uid="count")
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.1.1.1")
    barrier = threading.Barrier(40)

    def attempt():
        form = ThrottledLoginForm(request, data={"username": agent.email, "password": "wrong"})
        barrier.wait()
        form.is_valid()

    try:
        threads = [threading.Thread(target=attempt) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        user_login_failed.disconnect(dispatch_uid="count")
    assert len(checked) <= MAX_FAILURES


def test_a_completed_password_reset_ends_the_lockout(
    client, agent, django_capture_on_commit_callbacks
):
    for _ in range(MAX_FAILURES):
        _login(client, agent.email, "wrong", ip="10.0.0.9")
    assert _login(client, agent.email, ip="10.0.0.10").status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": agent.email}, REMOTE_ADDR="10.0.0.10")
    body = OutboundEmail.objects.get(kind="password_reset").body_text
    link = next(line for line in body.splitlines() if "/password-reset/" in line).strip()
    path = link.split("://", 1)[-1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-new-Long-passphrase-9", "new_password2": "a-new-Long-passphrase-9"},
    )
    assert (
        _login(Client(), agent.email, "a-new-Long-passphrase-9", ip="10.0.0.11").status_code == 302
    )


def test_reset_mails_are_limited_per_address_with_a_429_and_a_sentence(client, agent, settings):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/3600"
    for n in range(3):
        response = client.post(
            reverse("password_reset"), {"email": agent.email}, REMOTE_ADDR=f"10.2.0.{n}"
        )
        assert response.status_code == 302
    response = client.post(
        reverse("password_reset"), {"email": agent.email}, REMOTE_ADDR="10.2.0.9"
    )
    assert response.status_code == 429
    assert "Too many password-reset requests" in response.content.decode()
    assert OutboundEmail.objects.filter(kind="password_reset").count() == 3


def test_reset_mails_are_limited_per_client_address(client, db, settings):
    settings.PASSWORD_RESET_RATE_PER_IP = "5/3600"
    codes = [
        client.post(
            reverse("password_reset"), {"email": f"p{n}@example.com"}, REMOTE_ADDR="10.3.0.1"
        ).status_code
        for n in range(6)
    ]
    assert codes == [302] * 5 + [429]


def test_a_known_and_an_unknown_address_get_the_same_answer_for_the_same_work(agent, celery_off):
    answers = []
    for email in (agent.email, "ghost@example.com"):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                reverse("password_reset"), {"email": email}, REMOTE_ADDR="10.4.0.1"
            )
        answers.append((response.status_code, response.get("Location"), len(queries)))
    assert answers[0] == answers[1]
    assert not OutboundEmail.objects.exists()  # the lookup and the mail are the task's


@pytest.fixture
def celery_off():
    """The request's own work only: queued tasks are not run in the test's process."""
    from support.celery import app

    app.conf.task_always_eager = False
    sent = []
    original = app.send_task

    def capture(name, args=None, kwargs=None, **options):
        sent.append((name, args))

    app.send_task = capture
    from celery.app.task import Task

    original_apply_async = Task.apply_async

    def apply_async(self, args=None, kwargs=None, **options):
        sent.append((self.name, args))

    Task.apply_async = apply_async
    yield sent
    Task.apply_async = original_apply_async
    app.send_task = original
    app.conf.task_always_eager = True


def test_portal_sign_in_links_answer_the_same_for_customers_agents_and_strangers(
    agent, db, celery_off
):
    customer = factories.CustomerUserFactory()
    # Warm the per-process caches a running server holds (the branding every page reads): the
    # first request after a start would otherwise count one query more, whoever asks.
    Client().get(reverse("portal:sign-in"))
    answers = []
    for email in (customer.email, agent.email, "stranger@example.com"):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(
                reverse("portal:sign-in"), {"email": email}, REMOTE_ADDR="10.5.0.1"
            )
        body = response.content.decode().replace(email, "EMAIL")
        answers.append((response.status_code, body.count("EMAIL"), len(queries)))
    assert answers[0] == answers[1] == answers[2]


def test_bad_api_tokens_are_limited_per_address_with_a_429(db, settings):
    settings.API_TOKEN_FAILURES_PER_MINUTE = limit = 7
    client = Client()
    codes = [
        client.get(
            "/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer nope{n}", REMOTE_ADDR="10.6.0.1"
        ).status_code
        for n in range(limit + 1)
    ]
    assert codes == [401] * limit + [429]
    response = client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer x", REMOTE_ADDR="10.6.0.1")
    assert response.json()["error"]["message"].startswith("Too many requests; try again in")
    other = client.get("/api/v1/tickets", HTTP_AUTHORIZATION="Bearer x", REMOTE_ADDR="10.6.0.2")
    assert other.status_code == 401


@pytest.fixture
def redis_down(settings):
    """The production cache pointed at a Redis that is not there (nothing listens on port 1)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "support.cache.FailOpenRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield
    from support import cache

    cache._state["down_until"] = 0.0  # Redis is "back" for the tests that follow


def test_with_redis_down_sign_in_and_api_writes_keep_working(redis_down, agent):
    from support.cache import cache_errors

    before = cache_errors()
    client = Client()
    response = _login(client, agent.email)
    assert response.status_code == 302
    assert client.get(reverse("workspace:home"), follow=True).status_code == 200
    customer = factories.CustomerFactory()
    from accounts.tokens import api_token_create

    _, token = api_token_create(user=factories.AdminFactory(), name="t")
    created = Client().post(
        "/api/v1/tickets",
        {"requester_id": customer.pk, "subject": "Redis is down", "body": "Still works"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201, created.content
    assert cache_errors() > before
