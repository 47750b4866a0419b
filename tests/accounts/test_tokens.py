from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import ApiToken
from accounts.tokens import api_token_authenticate, api_token_create, api_token_revoke
from support.errors import NotFound
from tests import factories


def test_create_api_token_command_prints_the_token_once_and_stores_only_a_digest(agent):
    out, err = StringIO(), StringIO()
    call_command(
        "create_api_token",
        agent.email.upper(),
        "--name",
        "CRM",
        "--read-only",
        stdout=out,
        stderr=err,
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=agent)
    assert raw.startswith("sb_") and len(raw) > 40
    assert token.name == "CRM" and token.read_only
    assert raw not in token.digest and token.prefix == raw[:10]
    assert "shown only this once" in err.getvalue()


def test_authenticate_finds_active_tokens_and_records_last_use(agent):
    token, raw = api_token_create(user=agent, name="script")
    assert api_token_authenticate(raw).pk == token.pk
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert api_token_authenticate(raw + "x") is None
    api_token_revoke(token_id=token.pk, by=agent)
    assert api_token_authenticate(raw) is None


def test_a_user_cannot_revoke_someone_elses_token(agent, other_agent):
    token, _ = api_token_create(user=agent, name="mine")
    with pytest.raises(NotFound):
        api_token_revoke(token_id=token.pk, by=other_agent)


def test_tokens_of_inactive_users_do_not_authenticate(agent):
    _, raw = api_token_create(user=agent, name="x")
    agent.is_active = False
    agent.save()
    assert api_token_authenticate(raw) is None


def test_token_page_creates_shows_once_and_revokes(client, agent):
    client.force_login(agent)
    url = reverse("api_tokens")
    response = client.post(url, {"name": "Zapier"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=agent)
    body = response.content.decode()
    assert 'value="sb_' in body
    again = client.get(url).content.decode()
    assert 'value="sb_' not in again and token.prefix in again
    client.post(reverse("api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_page_needs_sign_in(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302


def test_revoking_another_users_token_from_the_page_is_404(client, agent):
    other = factories.AgentFactory()
    token, _ = api_token_create(user=other, name="theirs")
    client.force_login(agent)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_old_idempotency_keys_are_purged(agent):
    from datetime import timedelta

    from accounts.models import ApiIdempotencyKey
    from accounts.tasks import purge_idempotency_keys
    from support import clock

    ApiIdempotencyKey.objects.create(
        user=agent,
        key="old",
        method="POST",
        path="/x",
        request_digest="d",
        created_at=clock.now() - timedelta(days=2),
    )
    ApiIdempotencyKey.objects.create(
        user=agent, key="new", method="POST", path="/x", request_digest="d"
    )
    assert purge_idempotency_keys() == 1
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
