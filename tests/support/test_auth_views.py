"""Sign in, throttling, landing pages, password reset through the outbox."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.throttle import MAX_FAILURES
from tests import factories
from tickets.mail.models import OutboundEmail


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password=factories.PASSWORD, ip="10.0.0.1", **extra):
    return client.post(
        reverse("login"), {"username": email, "password": password, **extra}, REMOTE_ADDR=ip
    )


def test_agent_signs_in_and_lands_in_the_workspace(client, agent):
    response = _login(client, agent.email)
    assert response.status_code == 302
    assert response.url == reverse("workspace:home")
    assert client.get("/").url == reverse("workspace:home")


def test_customer_who_signs_in_here_is_sent_to_the_portal(client, db):
    user = factories.CustomerUserFactory()
    response = _login(client, user.email, next="/agent/")
    assert response.status_code == 302
    assert response.url == "/portal/"
    assert client.get("/").url == "/portal/"


def test_five_failures_lock_the_account_with_a_clear_message(client, agent):
    for _ in range(MAX_FAILURES):
        assert _login(client, agent.email, "wrong").status_code == 200
    # The right password no longer works for a while, from anywhere.
    response = _login(client, agent.email, ip="10.9.9.9")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_from_one_address_block_that_address_for_other_accounts(client, agent):
    for n in range(MAX_FAILURES):
        _login(client, f"nobody{n}@example.com", "wrong", ip="10.0.0.7")
    response = _login(client, agent.email, ip="10.0.0.7")
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert _login(client, agent.email, ip="10.0.0.8").status_code == 302


def test_success_resets_the_account_counter(client, agent):
    for _ in range(MAX_FAILURES - 1):
        _login(client, agent.email, "wrong", ip="10.0.0.2")
    assert _login(client, agent.email, ip="10.0.0.3").status_code == 302
    client.logout()
    _login(client, agent.email, "wrong", ip="10.0.0.4")
    assert _login(client, agent.email, ip="10.0.0.5").status_code == 302


def test_logout_signs_out(client, agent):
    client.force_login(agent)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("workspace:home")).status_code == 302


def test_password_reset_mail_goes_through_the_outbox(
    client, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("password_reset"), {"email": agent.email.upper()})
    assert response.status_code == 302
    mail = OutboundEmail.objects.get(kind="password_reset")
    assert mail.to == [agent.email]
    assert "/password-reset/" in mail.body_text
    assert mail.headers["Auto-Submitted"] == "auto-generated"


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "ghost@example.com"})
    assert response.status_code == 302
    assert not OutboundEmail.objects.exists()


def test_password_reset_link_sets_a_new_password(client, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("password_reset"), {"email": agent.email})
    body = OutboundEmail.objects.get(kind="password_reset").body_text
    link = next(line for line in body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    new = "a much longer new passphrase 42"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(new)
