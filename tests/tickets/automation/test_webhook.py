"""A trigger's webhook action: an event on the stream, delivered by integrations to the one
subscription the trigger names (tickets never imports integrations)."""

import contextlib

import pytest

from integrations.models import WebhookDelivery, WebhookEventType
from integrations.services import webhook_subscription_create
from tickets import services

pytestmark = pytest.mark.django_db


def test_the_named_subscription_gets_one_delivery(
    trigger, ticket, agent, admin_user, django_capture_on_commit_callbacks
):
    named = webhook_subscription_create(
        name="Chat",
        url="https://hooks.example.com/in",
        event_types=["trigger.fired"],
        owner=admin_user,
    )
    other = webhook_subscription_create(
        name="Other",
        url="https://other.example.com/in",
        event_types=["trigger.fired"],
        owner=admin_user,
    )
    rule = trigger(
        "Urgent to chat",
        {"all": [{"field": "priority", "operator": "changed_to", "value": "urgent"}]},
        [{"action": "webhook", "value": {"subscription": named.pk}}],
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.ticket_update(ticket=ticket, by=agent, changes={"priority": "urgent"})
    for callback in callbacks:
        with contextlib.suppress(Exception):  # the HTTP send itself is not under test here
            callback()
    delivery = WebhookDelivery.objects.get(event_type=WebhookEventType.TRIGGER_FIRED)
    assert delivery.subscription == named
    assert delivery.payload["trigger"]["name"] == rule.name
    assert delivery.payload["ticket"]["id"] == ticket.pk
    assert not WebhookDelivery.objects.filter(subscription=other).exists()
