"""Webhook subscriptions and deliveries: every write lives here.

Deliveries are rows first (created by the ticket-event handler, idempotently per subscription,
event and type), then sent by a task. Sending claims the row (pending → sending) so two workers
never send one row at once; a failure schedules the next attempt with exponential backoff for
about a day; a subscription that keeps failing is disabled and its owner told by mail.
Delivery is at least once: receivers dedupe on ``X-Switchboard-Delivery``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import timedelta

import urllib3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import User
from integrations.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEventType,
    WebhookSubscription,
    new_secret,
)
from integrations.signing import SIGNATURE_HEADER, sign
from integrations.ssrf import Unresolvable, UnsafeUrl, check_url_shape, post
from support import clock
from support.errors import InvalidChange, ValidationFailed
from tickets.models import TicketEvent

logger = logging.getLogger(__name__)

# Seconds to wait after the 1st, 2nd, ... failed attempt: about 22 hours in all.
BACKOFF = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1
SENDING_TIMEOUT = timedelta(minutes=10)
EXCERPT_CHARS = 1000
USER_AGENT = "Switchboard-Webhooks/1"


# --- subscriptions --------------------------------------------------------------------------


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = [t for t in chosen if t not in WebhookEventType.values]
    if unknown:
        raise ValidationFailed(
            _("Unknown event types: %(unknown)s.") % {"unknown": ", ".join(unknown)},
            field="event_types",
        )
    if not chosen:
        raise ValidationFailed(_("Choose at least one event type."), field="event_types")
    return chosen


@transaction.atomic
def webhook_subscription_create(
    *,
    name: str,
    url: str,
    event_types: Iterable[str],
    owner: User | None,
    include_notes: bool = False,
    secret: str | None = None,
    is_active: bool = True,
) -> WebhookSubscription:
    try:
        check_url_shape(url)
    except UnsafeUrl as exc:
        raise ValidationFailed(str(exc), field="url") from exc
    subscription = WebhookSubscription(
        name=(name.strip() or url)[:100],  # a long URL named after itself fits the column
        url=url,
        event_types=_clean_event_types(event_types),
        owner=owner,
        include_notes=include_notes,
        is_active=is_active,
    )
    if secret:
        subscription.secret = secret
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_enable(*, subscription: WebhookSubscription) -> WebhookSubscription:
    subscription.is_active = True
    subscription.consecutive_failures = 0
    subscription.disabled_at = None
    subscription.disabled_reason = ""
    subscription.save(
        update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
    )
    return subscription


# --- deliveries: queueing -------------------------------------------------------------------


def event_types_for(event: TicketEvent) -> list[str]:
    """Which webhook event types one ticket event produces."""
    kind = event.kind
    # A trigger's webhook goes to the one subscription it names (``trigger_webhook_queue``); a
    # rule that failed is the timeline's business.
    if kind in ("trigger_webhook", "rule_failed"):
        return []
    if kind == "created":
        return [WebhookEventType.TICKET_CREATED, WebhookEventType.MESSAGE_CREATED]
    if kind in ("replied", "note_added"):
        return [WebhookEventType.MESSAGE_CREATED]
    if kind == "status_changed":
        return [WebhookEventType.TICKET_STATUS_CHANGED, WebhookEventType.TICKET_UPDATED]
    if kind in ("follower_added", "follower_removed"):
        return []
    # A satisfaction rating is not a change to the ticket: ``csat.received`` announces it.
    if kind in ("csat_rated", "csat_commented"):
        return []
    # An SLA clock crossing its warning or due time is not a change to the ticket.
    if kind == "sla_warning":
        return [WebhookEventType.SLA_WARNING]
    if kind == "sla_breached":
        return [WebhookEventType.SLA_BREACHED]
    return [WebhookEventType.TICKET_UPDATED]


def _payload(event: TicketEvent, event_type: str) -> dict:
    from tickets.message_serializers import MessageSerializer
    from tickets.serializers import TicketSerializer

    ticket = event.ticket
    data: dict = {"ticket": TicketSerializer(ticket).data}
    if event_type == WebhookEventType.MESSAGE_CREATED and event.message_id:
        data["message"] = MessageSerializer(event.message).data
    if event_type in (WebhookEventType.TICKET_UPDATED, WebhookEventType.TICKET_STATUS_CHANGED):
        data["change"] = {"field": event.field or event.kind, "old": event.old, "new": event.new}
    if event_type in (WebhookEventType.SLA_WARNING, WebhookEventType.SLA_BREACHED):
        # The sweep records old="due <iso>", new="<warning|breach> at <iso>".
        data["sla"] = {
            "target": event.field,
            "due_at": event.old.removeprefix("due "),
            "at": event.new.partition(" at ")[2] or event.at.isoformat(),
        }
    if event.actor_id:
        data["actor"] = {"type": "agent", "id": event.actor_id}
    elif event.actor_customer_id:
        data["actor"] = {"type": "customer", "id": event.actor_customer_id}
    else:
        data["actor"] = {"type": "system", "id": None}
    # Stored as JSON text types (dates as strings), exactly what will be sent.
    return json.loads(json.dumps(data, cls=JSONEncoder))


def webhook_deliveries_queue(*, event: TicketEvent) -> list[WebhookDelivery]:
    """Create the deliveries one ticket event owes; running it twice creates nothing new."""
    types = event_types_for(event)
    if not types:
        return []
    is_note = bool(event.message_id and event.message.is_note)
    created: list[WebhookDelivery] = []
    # A late run (the events sweep replaying a lost dispatch) must not tell a subscription
    # created afterwards about a change from before it existed.
    subscriptions = WebhookSubscription.objects.filter(is_active=True, created_at__lte=event.at)
    payloads: dict[str, dict] = {}
    with transaction.atomic():
        for subscription in subscriptions:
            for event_type in types:
                if event_type not in subscription.event_types:
                    continue
                if (
                    event_type == WebhookEventType.MESSAGE_CREATED
                    and is_note
                    and not subscription.include_notes
                ):
                    continue
                if event_type not in payloads:
                    payloads[event_type] = _payload(event, event_type)
                try:
                    with transaction.atomic():
                        delivery, new = WebhookDelivery.objects.get_or_create(
                            subscription=subscription,
                            event=event,
                            event_type=event_type,
                            defaults={"payload": payloads[event_type]},
                        )
                except IntegrityError:  # a concurrent run created it
                    continue
                if new:
                    created.append(delivery)
        for delivery in created:
            _send_on_commit(delivery)
    return created


def trigger_webhook_queue(*, event: TicketEvent) -> WebhookDelivery | None:
    """The delivery a trigger's webhook action owes its subscription (whatever event types the
    subscription chose: the admin named it in the trigger). Running it twice creates nothing."""
    data = event.data or {}
    subscription = WebhookSubscription.objects.filter(
        pk=data.get("subscription"), is_active=True
    ).first()
    if subscription is None:
        return None
    payload = _payload(event, WebhookEventType.TRIGGER_FIRED)
    payload["trigger"] = data.get("rule") or {"kind": "trigger", "id": data.get("trigger")}
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery, new = WebhookDelivery.objects.get_or_create(
                    subscription=subscription,
                    event=event,
                    event_type=WebhookEventType.TRIGGER_FIRED,
                    defaults={"payload": payload},
                )
        except IntegrityError:  # a concurrent run created it
            return None
        if new:
            _send_on_commit(delivery)
    return delivery if new else None


def webhook_deliveries_queue_keyed(
    *, event_type: str, key: str, payload: dict
) -> list[WebhookDelivery]:
    """Create the deliveries a change that isn't a ticket event owes (feedback, CSAT), once per
    subscription and ``key``: running it twice creates nothing new."""
    if event_type not in WebhookEventType.values:
        raise ValueError(f"Unknown webhook event type {event_type!r}.")
    payload = json.loads(json.dumps(payload, cls=JSONEncoder))
    created: list[WebhookDelivery] = []
    with transaction.atomic():
        for subscription in WebhookSubscription.objects.filter(is_active=True):
            if event_type not in subscription.event_types:
                continue
            try:
                with transaction.atomic():
                    delivery, new = WebhookDelivery.objects.get_or_create(
                        subscription=subscription,
                        event_type=event_type,
                        dedupe_key=key[:200],
                        defaults={"payload": payload},
                    )
            except IntegrityError:  # a concurrent run created it
                continue
            if new:
                created.append(delivery)
        for delivery in created:
            _send_on_commit(delivery)
    return created


def _send_on_commit(delivery: WebhookDelivery) -> None:
    def send() -> None:
        from integrations.tasks import deliver_webhook

        try:
            deliver_webhook.delay(str(delivery.pk))
        except Exception:
            # The row is there; the beat sweep sends it when the broker is back.
            logger.exception("Could not queue webhook delivery %s", delivery.pk)

    transaction.on_commit(send)


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """Send a delivery's payload again, as a new delivery (the log keeps both)."""
    if not by.is_admin:
        raise InvalidChange(_("Only admins can resend webhooks."))
    again = WebhookDelivery.objects.create(
        subscription=delivery.subscription,
        event=None,
        event_type=delivery.event_type,
        payload=delivery.payload,
        resent_from=delivery,
    )
    _send_on_commit(again)
    return again


# --- deliveries: sending --------------------------------------------------------------------


def body_for(delivery: WebhookDelivery) -> bytes:
    envelope = {
        "id": str(delivery.pk),
        "type": delivery.event_type,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(envelope, cls=JSONEncoder, separators=(",", ":")).encode()


def webhook_deliver(*, delivery_id: str) -> WebhookDelivery | None:
    """Make one attempt at a due delivery; returns ``None`` if it isn't due (or is taken)."""
    now = clock.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        # The attempt is counted as it starts, committed before the request goes out: a worker
        # killed mid-request (the sweep then tries again) leaves every attempt in the log.
    ).update(status=DeliveryStatus.SENDING, last_attempt_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error="The subscription is disabled."
        )
        return delivery

    body = body_for(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Switchboard-Event": delivery.event_type,
        "X-Switchboard-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(secret=subscription.secret, body=body),
    }
    code = latency = None
    excerpt = error = ""
    try:
        outcome = post(
            subscription.url,
            body=body,
            headers=headers,
            timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        )
        code, latency = outcome.status, outcome.latency_ms
        excerpt = outcome.body.decode("utf-8", "replace")[:EXCERPT_CHARS]
        if not 200 <= code < 300:
            error = f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    except Unresolvable as exc:
        error = str(exc)
    except UnsafeUrl as exc:
        error = f"Refused: {exc}"
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
    _record_attempt(delivery, code=code, latency=latency, excerpt=excerpt, error=error)
    return delivery


@transaction.atomic
def _record_attempt(
    delivery: WebhookDelivery, *, code: int | None, latency: int | None, excerpt: str, error: str
) -> None:
    now = clock.now()
    delivery.response_code = code
    delivery.latency_ms = latency
    delivery.response_excerpt = excerpt.replace("\x00", "")
    delivery.last_error = error
    subscription = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        if subscription.consecutive_failures:
            subscription.consecutive_failures = 0
            subscription.save(update_fields=["consecutive_failures"])
    else:
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        subscription.refresh_from_db()
        if (
            subscription.is_active
            and subscription.consecutive_failures >= settings.WEBHOOKS_DISABLE_AFTER_FAILURES
        ):
            _disable(
                subscription,
                reason=f"{subscription.consecutive_failures} failures in a row; last: {error}",
            )
    delivery.save()


def _disable(subscription: WebhookSubscription, *, reason: str) -> None:
    from tickets.mail.outbound import email_queue

    now = clock.now()
    subscription.is_active = False
    subscription.disabled_at = now
    subscription.disabled_reason = reason[:300]
    subscription.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    if subscription.owner and subscription.owner.email:
        email_queue(
            kind="webhook_disabled",
            to=[subscription.owner.email],
            subject=f"Webhook “{subscription.name}” was disabled",
            body_text=(
                f"Switchboard stopped sending webhooks to {subscription.url} after repeated "
                f"failures.\n\nReason: {reason}\n\nFix the endpoint, then enable the subscription "
                f"again: {settings.SITE_URL}/integrations/webhooks/{subscription.pk}/"
            ),
            dedupe_key=f"webhook-disabled:{subscription.pk}:{int(now.timestamp())}",
        )


def webhook_deliveries_sweep(*, limit: int = 500) -> int:
    """Beat: re-queue due deliveries (retries, lost tasks); free rows stuck mid-send."""
    from integrations.tasks import deliver_webhook

    now = clock.now()
    WebhookDelivery.objects.filter(
        status=DeliveryStatus.SENDING, last_attempt_at__lt=now - SENDING_TIMEOUT
    ).update(status=DeliveryStatus.PENDING, next_attempt_at=now)
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        deliver_webhook.delay(str(pk))
    return len(due)


@transaction.atomic
def webhook_subscription_update(
    *,
    subscription: WebhookSubscription,
    name: str | None = None,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    include_notes: bool | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    """Change a subscription; leave an argument out to keep it. Activating resets the failures."""
    if url is not None:
        try:
            check_url_shape(url)
        except UnsafeUrl as exc:
            raise ValidationFailed(str(exc), field="url") from exc
        subscription.url = url
    if name is not None:
        subscription.name = (name.strip() or subscription.url)[:100]
    if event_types is not None:
        subscription.event_types = _clean_event_types(event_types)
    if include_notes is not None:
        subscription.include_notes = include_notes
    subscription.save()
    if is_active is True and not subscription.is_active:
        webhook_subscription_enable(subscription=subscription)
    elif is_active is False and subscription.is_active:
        subscription.is_active = False
        subscription.disabled_at = clock.now()
        subscription.disabled_reason = "Turned off by hand."
        subscription.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


# --- from the admin pages -------------------------------------------------------------------


@transaction.atomic
def webhook_test_send(*, subscription: WebhookSubscription, by: User) -> WebhookDelivery:
    """Queue a ``webhook.test`` delivery to one subscription; the worker sends it like any
    other (signed, logged, retried), so it proves the whole path, not just the URL."""
    if not by.is_admin:
        raise InvalidChange(_("Only admins can send test events."))
    if not subscription.is_active:
        raise InvalidChange(_("Enable the subscription before sending it a test event."))
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_type=WebhookEventType.WEBHOOK_TEST,
        payload={
            "test": True,
            "message": "A test event sent from Switchboard's webhook page.",
            "subscription": {"id": subscription.pk, "name": subscription.name},
            "actor": {"type": "agent", "id": by.pk},
        },
    )
    _send_on_commit(delivery)
    return delivery


@transaction.atomic
def webhook_subscription_rotate_secret(*, subscription: WebhookSubscription) -> str:
    """A new signing secret; the old one stops verifying at once. Returned to be shown once."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription.secret
