"""Personal API tokens: create, revoke, authenticate."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from support import clock
from support.errors import NotFound, ValidationFailed

TOKEN_PREFIX = "sb_"  # noqa: S105 - a marker, not a secret
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, read_only: bool = False) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the raw token, which is never stored."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(_("A token needs a name."), field="name")
    if len(name) > 100:
        raise ValidationFailed(_("A token name can be at most 100 characters."), field="name")
    if not user.is_active:
        raise ValidationFailed(_("Inactive users can't have API tokens."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], digest=_digest(raw), read_only=read_only
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token_id: int, by: User) -> ApiToken:
    """Revoke one of ``by``'s tokens (admins may revoke anyone's)."""
    tokens = ApiToken.objects.select_for_update()
    if not by.is_admin:
        tokens = tokens.filter(user=by)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token ``raw`` names (with its user), recording when it was last used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(user: User):
    return ApiToken.objects.filter(user=user)
