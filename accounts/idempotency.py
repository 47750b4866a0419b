"""Stored ``Idempotency-Key`` answers, one row per user and key: the store behind
``support.api.idempotency`` (``settings.API_IDEMPOTENCY_STORE``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from accounts.models import ApiIdempotencyKey, User
from support import clock
from support.api.errors import Conflict, IdempotentReplay

# A claimed key whose request never finished (the process died) is free again after this.
ABANDONED_AFTER = timedelta(minutes=5)


def claim(*, user: User, key: str, method: str, path: str, digest: str) -> ApiIdempotencyKey:
    """Claim ``key`` for this request, or raise what a retry gets instead: the stored answer
    (``IdempotentReplay``), or ``Conflict`` when the key was used for another request or its
    first request is still running."""
    ttl = timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    now = clock.now()
    expired = Q(created_at__lt=now - ttl) | Q(
        status_code__isnull=True, created_at__lt=now - ABANDONED_AFTER
    )
    ApiIdempotencyKey.objects.filter(expired, user=user, key=key).delete()
    existing = ApiIdempotencyKey.objects.filter(user=user, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return ApiIdempotencyKey.objects.create(
                    user=user, key=key, method=method, path=path[:500], request_digest=digest
                )
        except IntegrityError:
            existing = ApiIdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:
                raise Conflict("A request with this Idempotency-Key is in progress.") from None
    if existing.request_digest != digest:
        raise Conflict(
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request."
        )
    if existing.status_code is None:
        raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly.")
    raise IdempotentReplay(
        status_code=existing.status_code,
        body=existing.response_body,
        headers=existing.response_headers,
    )


def remember(
    record: ApiIdempotencyKey, *, status_code: int, body: str, headers: dict[str, str]
) -> None:
    record.status_code = status_code
    record.response_body = body
    record.response_headers = headers
    record.save(update_fields=["status_code", "response_body", "response_headers"])


def release(record: ApiIdempotencyKey) -> None:
    record.delete()


def idempotency_keys_purge() -> int:
    """Delete stored Idempotency-Key responses older than the replay window."""
    cutoff = clock.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = ApiIdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
