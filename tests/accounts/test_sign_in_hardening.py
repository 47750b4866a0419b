"""Sign-in abuse, the rest of it: a lockout no request can clear without the password, a
maximum password length, the portal asking for the current password before a new one, and
sessions that end when a person's role changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.throttle import MAX_FAILURES
from accounts.validators import PASSWORD_MAX_LENGTH
from tests import factories

pytestmark = pytest.mark.django_db
QUEUE = "/agent/queues/mine/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password=factories.PASSWORD, ip="10.7.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("skipped", ["", "x" * (PASSWORD_MAX_LENGTH + 1)])
def test_a_password_that_is_never_checked_does_not_clear_the_failures(agent, skipped):
    """An empty or over-long password skips the check; it must not count as a success (which
    would give the attacker a fresh budget of guesses)."""
    for n in range(MAX_FAILURES - 1):
        assert _login(Client(), agent.email, "wrong", ip=f"10.7.1.{n}").status_code == 200
    _login(Client(), agent.email, skipped, ip="10.7.2.1")
    assert _login(Client(), agent.email, ip="10.7.2.2").status_code == 429


def test_an_over_long_password_is_refused_at_sign_in_without_signing_in(agent):
    agent.set_password("p" * (PASSWORD_MAX_LENGTH + 1))
    agent.save()
    response = _login(Client(), agent.email, "p" * (PASSWORD_MAX_LENGTH + 1))
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_new_passwords_have_a_maximum_length(agent):
    validate_password("correct horse " * 9, agent)  # 126 characters: fine
    with pytest.raises(ValidationError, match="too long"):
        validate_password("correct horse " * 10, agent)


# --- the portal's password ------------------------------------------------------------------


@pytest.fixture
def customer_user():
    return factories.CustomerUserFactory()


def _set_password(client, **fields):
    return client.post(
        reverse("portal:account"),
        {"action": "password", "password1": "quiet river 9182", "password2": "quiet river 9182"}
        | fields,
        REMOTE_ADDR="10.7.3.1",
    )


def test_changing_a_portal_password_asks_for_the_current_one(client, customer_user):
    client.force_login(customer_user)
    page = client.get(reverse("portal:account")).content.decode()
    assert 'name="current_password"' in page
    for fields in ({}, {"current_password": "not it"}):
        response = _set_password(client, **fields)
        assert response.status_code == 200
        assert 'name="current_password"' in response.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.check_password(factories.PASSWORD)
    assert _set_password(client, current_password=factories.PASSWORD).status_code == 302
    customer_user.refresh_from_db()
    assert customer_user.check_password("quiet river 9182")


def test_wrong_current_passwords_count_towards_the_lockout(client, customer_user):
    client.force_login(customer_user)
    for _ in range(MAX_FAILURES):
        _set_password(client, current_password="not it")
    response = _set_password(client, current_password=factories.PASSWORD)
    assert "Too many wrong passwords" in response.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.check_password(factories.PASSWORD)


def test_a_customer_without_a_password_sets_one_without_a_current_one(client, customer_user):
    customer_user.set_unusable_password()
    customer_user.save()
    client.force_login(customer_user)
    assert 'name="current_password"' not in client.get(reverse("portal:account")).content.decode()
    assert _set_password(client).status_code == 302
    customer_user.refresh_from_db()
    assert customer_user.check_password("quiet river 9182")


# --- role changes ---------------------------------------------------------------------------


@pytest.mark.parametrize(("before", "after"), [(Role.ADMIN, Role.AGENT), (Role.AGENT, Role.ADMIN)])
def test_a_role_change_ends_the_session_and_the_next_one_has_a_new_key(before, after):
    user = factories.AgentFactory(role=before)
    client = Client()
    assert _login(client, user.email).status_code == 302
    old_key = client.cookies["sessionid"].value
    assert client.get(QUEUE).status_code == 200

    user.role = after
    user.save(update_fields=["role"])

    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert _login(client, user.email).status_code == 302
    assert client.cookies["sessionid"].value != old_key
    assert client.get(QUEUE).status_code == 200


def test_other_changes_keep_the_session(agent):
    client = Client()
    _login(client, agent.email)
    agent.name = "A new name"
    agent.save(update_fields=["name"])
    assert client.get(QUEUE).status_code == 200
