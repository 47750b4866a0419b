"""Webhook deliveries: rows per event, signed, retried with backoff, SSRF-guarded, disabled when
they keep failing — against a real local HTTP receiver."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from integrations.models import DeliveryStatus, WebhookDelivery
from integrations.services import (
    BACKOFF,
    MAX_ATTEMPTS,
    webhook_deliveries_queue,
    webhook_deliveries_sweep,
    webhook_subscription_create,
)
from integrations.signing import verify
from integrations.ssrf import UnsafeUrl, resolve_safe
from support import clock
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

ALL_TYPES = ["ticket.created", "ticket.updated", "ticket.status_changed", "message.created"]


@pytest.fixture
def subscription(receiver, admin_user):
    return webhook_subscription_create(
        name="CRM", url=receiver.url, event_types=ALL_TYPES, owner=admin_user
    )


def _create_ticket(customer, captured):
    with captured(execute=True):
        return services.ticket_create(requester=customer, subject="Broken", body="It broke")


def test_ticket_created_sends_signed_webhooks(
    receiver, subscription, customer, django_capture_on_commit_callbacks
):
    ticket = _create_ticket(customer, django_capture_on_commit_callbacks)
    assert {r.headers["X-Switchboard-Event"] for r in receiver.requests} == {
        "ticket.created",
        "message.created",
    }
    for received in receiver.requests:
        assert verify(
            secret=subscription.secret,
            body=received.body,
            header=received.headers["X-Switchboard-Signature"],
        )
        assert not verify(
            secret="wrong", body=received.body, header=received.headers["X-Switchboard-Signature"]
        )
    created = receiver.of_type("ticket.created")[0].json
    assert created["type"] == "ticket.created"
    assert created["data"]["ticket"]["id"] == ticket.pk
    assert created["id"] == receiver.of_type("ticket.created")[0].headers["X-Switchboard-Delivery"]
    delivery = WebhookDelivery.objects.get(event_type="ticket.created")
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.response_code == 200 and delivery.latency_ms is not None
    assert "ok" in delivery.response_excerpt


def test_queueing_is_idempotent_per_subscription_and_event(subscription, customer):
    ticket = services.ticket_create(requester=customer, subject="x", body="y")
    event = TicketEvent.objects.get(ticket=ticket, kind="created")
    webhook_deliveries_queue(event=event)
    webhook_deliveries_queue(event=event)
    assert WebhookDelivery.objects.filter(event=event).count() == 2  # ticket + message


def test_internal_notes_only_reach_subscriptions_that_opt_in(
    receiver, subscription, agent, ticket, admin_user, django_capture_on_commit_callbacks
):
    with_notes = webhook_subscription_create(
        name="Internal",
        url=receiver.url,
        event_types=["message.created"],
        owner=admin_user,
        include_notes=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_note(ticket=ticket, body="secret", by=agent)
    deliveries = WebhookDelivery.objects.filter(event_type="message.created")
    assert [d.subscription for d in deliveries] == [with_notes]


def test_status_change_sends_status_changed_and_updated(
    receiver, subscription, agent, ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_change_status(ticket=ticket, status="pending", by=agent)
    status_hook = receiver.of_type("ticket.status_changed")[0].json
    assert status_hook["data"]["change"] == {"field": "status", "old": "new", "new": "pending"}
    assert receiver.of_type("ticket.updated")


def test_failures_retry_with_backoff_then_give_up(
    receiver, subscription, customer, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 1000
    subscription.event_types = ["ticket.created"]
    subscription.save()
    receiver.script = [500] * 20
    _create_ticket(customer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.response_code == 500 and delivery.last_error == "HTTP 500"
    first_retry = delivery.next_attempt_at - delivery.last_attempt_at
    assert timedelta(seconds=BACKOFF[0]) <= first_retry < timedelta(seconds=BACKOFF[0] + 5)
    assert webhook_deliveries_sweep() == 0  # not due yet
    when = clock.now()
    for _ in range(MAX_ATTEMPTS - 1):
        when += timedelta(days=1)
        with clock.travel(when):
            webhook_deliveries_sweep()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert sum(BACKOFF) > 20 * 3600  # retried for about a day
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_redirects_are_not_followed(
    receiver, subscription, customer, django_capture_on_commit_callbacks
):
    subscription.event_types = ["ticket.created"]
    subscription.save()
    receiver.script = ["redirect"]
    _create_ticket(customer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_code == 302 and "redirects are not followed" in delivery.last_error
    assert len(receiver.requests) == 1


def test_slow_receivers_time_out(
    receiver, subscription, customer, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1
    subscription.event_types = ["ticket.created"]
    subscription.save()
    receiver.delay = 2.5
    _create_ticket(customer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "Timeout" in delivery.last_error


def test_repeated_failures_disable_the_subscription_and_tell_its_owner(
    receiver, subscription, customer, django_capture_on_commit_callbacks, settings, admin_user
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 2
    receiver.script = [503] * 10
    _create_ticket(customer, django_capture_on_commit_callbacks)  # two deliveries, both fail
    subscription.refresh_from_db()
    assert not subscription.is_active and "2 failures" in subscription.disabled_reason
    mail = OutboundEmail.objects.get(kind="webhook_disabled")
    assert mail.to == [admin_user.email]
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_create(requester=customer, subject="after", body="x")
    assert WebhookDelivery.objects.count() == 2  # nothing new for a disabled subscription


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8555/x",
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://192.168.0.1/x",
        "http://0.0.0.0/x",
        "ftp://example.com/x",
        "http://user:pw@example.com/x",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with pytest.raises(UnsafeUrl):
        resolve_safe(url)


def test_a_refused_url_is_recorded_on_the_delivery(
    subscription, customer, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    _create_ticket(customer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.filter(event_type="ticket.created").get()
    assert delivery.last_error.startswith("Refused:") and delivery.response_code is None


def test_delivery_log_page_and_resend(
    client, receiver, subscription, customer, admin_user, django_capture_on_commit_callbacks
):
    receiver.script = [500, 500]
    _create_ticket(customer, django_capture_on_commit_callbacks)
    client.force_login(admin_user)
    page = client.get(reverse("webhook_detail", args=[subscription.pk]))
    assert page.status_code == 200
    assert b"receiver says no" in page.content and b"HTTP 500" in page.content
    delivery = WebhookDelivery.objects.filter(event_type="ticket.created").get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhook_resend", args=[delivery.pk]))
    again = WebhookDelivery.objects.get(resent_from=delivery)
    assert again.status == DeliveryStatus.DELIVERED
    assert client.get(reverse("webhooks")).status_code == 200


def test_webhook_pages_are_for_admins_only(client, agent, subscription):
    client.force_login(agent)
    assert client.get(reverse("webhooks")).status_code == 403
    assert client.get(reverse("webhook_detail", args=[subscription.pk])).status_code == 403
