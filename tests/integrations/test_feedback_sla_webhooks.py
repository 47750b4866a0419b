"""The webhook events beyond tickets: ``sla.warning``/``sla.breached`` (from the SLA sweep's ticket
events) and ``feedback.item_status_changed``/``csat.received`` (from ``feedback.events``), sent
signed to a real local HTTP receiver and queued idempotently."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import requests

from accounts.tokens import api_token_create
from feedback import events as feedback_events
from feedback.models import FeedbackEvent, ItemStatus, Rating
from feedback.services import (
    csat_survey_answer,
    csat_survey_schedule,
    csat_survey_send,
    feedback_item_change_status,
    feedback_item_create,
    feedback_link_create,
)
from integrations.handlers import queue_csat_webhooks, queue_item_status_webhooks
from integrations.models import DeliveryStatus, WebhookDelivery
from integrations.services import webhook_subscription_create
from integrations.signing import verify
from support import clock, events
from support.tasks import dispatch_events
from tests import factories
from tickets import services
from tickets.models import Status
from tickets.sla.sweep import sla_sweep

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
NEW_TYPES = ["sla.warning", "sla.breached", "feedback.item_status_changed", "csat.received"]


@pytest.fixture
def subscription(receiver, admin_user):
    # Subscribed before the events the SLA tests move the clock to (a subscription only hears
    # events from after it was made).
    with clock.travel(T0 - timedelta(days=1)):
        return webhook_subscription_create(
            name="Status page", url=receiver.url, event_types=NEW_TYPES, owner=admin_user
        )


def _assert_signed(receiver, subscription) -> None:
    assert receiver.requests
    for received in receiver.requests:
        assert verify(
            secret=subscription.secret,
            body=received.body,
            header=received.headers["X-Switchboard-Signature"],
        )


# --- SLA ------------------------------------------------------------------------------------


def test_sla_warning_and_breach_are_sent_signed_not_as_ticket_updates(
    receiver, subscription, admin_user, customer, team, django_capture_on_commit_callbacks
):
    with clock.travel(T0 - timedelta(days=1)):
        everything = webhook_subscription_create(
            name="Ticket sync",
            url=receiver.url,
            event_types=["ticket.updated"],
            owner=admin_user,
        )
    factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=60,
        resolution_minutes=480,
        warning_percent=75,
    )
    with clock.travel(T0):
        ticket = services.ticket_create(requester=customer, subject="Down", body="!", team=team)
    for minutes in (46, 61, 62):
        with clock.travel(T0 + timedelta(minutes=minutes)):
            with django_capture_on_commit_callbacks(execute=True):
                sla_sweep()

    assert [r.headers["X-Switchboard-Event"] for r in receiver.requests] == [
        "sla.warning",
        "sla.breached",
    ]
    _assert_signed(receiver, subscription)
    warning = receiver.of_type("sla.warning")[0].json
    assert warning["data"]["ticket"]["id"] == ticket.pk
    assert warning["data"]["sla"]["target"] == "first_response"
    assert datetime.fromisoformat(warning["data"]["sla"]["due_at"]) == T0 + timedelta(minutes=60)
    assert datetime.fromisoformat(warning["data"]["sla"]["at"]) == T0 + timedelta(minutes=45)
    assert warning["data"]["actor"] == {"type": "system", "id": None}
    breach = receiver.of_type("sla.breached")[0].json
    assert datetime.fromisoformat(breach["data"]["sla"]["at"]) == T0 + timedelta(minutes=60)
    assert not WebhookDelivery.objects.filter(subscription=everything).exists()


# --- feedback items -------------------------------------------------------------------------


def test_item_status_change_is_sent_signed_with_demand(
    receiver, subscription, agent, ticket, django_capture_on_commit_callbacks
):
    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Single sign-on", by=pm)
    feedback_link_create(ticket=ticket, item=item, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_item_change_status(item=item, status=ItemStatus.PLANNED, by=pm)
    with django_capture_on_commit_callbacks(execute=True):
        # Only the note changes: no status change, no webhook.
        feedback_item_change_status(item=item, status=ItemStatus.PLANNED, public_note="Q3", by=pm)

    [received] = receiver.requests
    assert received.headers["X-Switchboard-Event"] == "feedback.item_status_changed"
    _assert_signed(receiver, subscription)
    data = received.json["data"]
    assert data["item"]["id"] == item.pk
    assert data["item"]["demand"] == 1
    assert data["change"]["old"] == "new" and data["change"]["new"] == "planned"
    assert data["actor"] == {"type": "user", "id": pm.pk}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_feedback_queueing_is_idempotent_per_event(
    subscription, django_capture_on_commit_callbacks
):
    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Dark mode", by=pm)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    # Run the handler twice on the same event, as a retried task would.
    with mock.patch.object(dispatch_events, "delay") as published:
        for callback in callbacks:
            callback()
    [(table, [event_id])] = [c.args for c in published.call_args_list]
    assert table == "feedback.feedbackevent"
    event = FeedbackEvent.objects.get(pk=event_id)
    queue_item_status_webhooks(event)
    queue_item_status_webhooks(event)
    assert WebhookDelivery.objects.filter(event_type="feedback.item_status_changed").count() == 1


def test_a_feedback_event_whose_queueing_failed_is_delivered_by_the_sweep_once(
    subscription, django_capture_on_commit_callbacks, monkeypatch
):
    """Nothing is lost when the broker is down at commit: the event row stays undispatched and
    the beat sweep queues it again after the grace period; a second sweep adds nothing."""
    from kombu.exceptions import OperationalError

    from support import tasks

    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Dark mode", by=pm)
    with monkeypatch.context() as patch:

        def refuse(*args, **kwargs):
            raise OperationalError("[Errno 111] Connection refused")

        patch.setattr(tasks.dispatch_events, "delay", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    event = FeedbackEvent.objects.get(kind=feedback_events.ITEM_STATUS_CHANGED)
    assert event.dispatched_at is None and not WebhookDelivery.objects.exists()
    assert events.sweep_undispatched() == 0  # within the grace period: not yet
    with clock.travel(clock.now() + timedelta(minutes=10)):
        assert tasks.sweep_undispatched_events() == 1  # the one sweep of every table, eagerly
        assert events.sweep_undispatched() == 0
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert WebhookDelivery.objects.filter(event_type="feedback.item_status_changed").count() == 1


def test_subscriptions_without_the_type_hear_nothing(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    webhook_subscription_create(
        name="Tickets only", url=receiver.url, event_types=["ticket.created"], owner=admin_user
    )
    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Dark mode", by=pm)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_item_change_status(item=item, status=ItemStatus.DECLINED, by=pm)
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


# --- CSAT -----------------------------------------------------------------------------------


def _sent_survey(ticket):
    services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=factories.AdminFactory())
    return csat_survey_send(survey=csat_survey_schedule(ticket=ticket), mail=False)


def test_csat_answers_are_sent_signed_each_time(
    receiver, subscription, ticket, django_capture_on_commit_callbacks
):
    survey = _sent_survey(ticket)
    with django_capture_on_commit_callbacks(execute=True):
        csat_survey_answer(survey=survey, rating=Rating.GOOD, by=ticket.requester)
    with clock.travel(clock.now() + timedelta(minutes=5)):
        with django_capture_on_commit_callbacks(execute=True):
            csat_survey_answer(survey=survey, comment="Thanks!", by=ticket.requester)

    received = receiver.of_type("csat.received")
    assert len(received) == 2
    _assert_signed(receiver, subscription)
    first, second = (r.json["data"] for r in received)
    assert first["csat"]["rating"] == "good" and first["csat"]["comment"] == ""
    assert first["first_answer"] is True
    assert second["csat"]["comment"] == "Thanks!" and second["first_answer"] is False
    assert first["ticket"]["id"] == ticket.pk
    assert first["actor"] == {"type": "customer", "id": ticket.requester_id}


def test_imported_history_sends_no_csat_webhooks(
    receiver, subscription, ticket, django_capture_on_commit_callbacks
):
    survey = _sent_survey(ticket)
    with django_capture_on_commit_callbacks(execute=True):
        csat_survey_answer(survey=survey, rating=Rating.BAD, notify=False)
    assert not WebhookDelivery.objects.exists()


def test_csat_handler_is_idempotent(subscription, ticket):
    survey = _sent_survey(ticket)
    csat_survey_answer(survey=survey, rating=Rating.GOOD, by=ticket.requester)
    survey.refresh_from_db()
    event = FeedbackEvent(
        kind=feedback_events.CSAT_RECEIVED,
        key=f"{survey.pk}:{survey.updated_at.isoformat()}",
        data={
            "survey_id": survey.pk,
            "ticket_id": ticket.pk,
            "customer_id": survey.customer_id,
            "rating": "good",
            "comment": "",
            "first": True,
            "answered_at": survey.answered_at.isoformat(),
            "updated_at": survey.updated_at.isoformat(),
        },
    )
    queue_csat_webhooks(event)
    queue_csat_webhooks(event)
    assert WebhookDelivery.objects.filter(event_type="csat.received").count() == 1


# --- over real HTTP -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_pm_and_customer_over_http_trigger_signed_webhooks(live_server, receiver):
    admin = factories.AdminFactory()
    pm = factories.ProductManagerFactory()
    customer_user = factories.CustomerUserFactory()
    ticket = factories.TicketFactory(requester=customer_user.customer)
    _sent_survey(ticket)
    _, admin_raw = api_token_create(user=admin, name="setup")
    _, pm_raw = api_token_create(user=pm, name="roadmap")
    _, customer_raw = api_token_create(user=customer_user, name="widget")
    base = f"{live_server.url}/api/v1"

    subscribed = requests.post(
        f"{base}/webhooks",
        json={
            "url": receiver.url,
            "event_types": ["feedback.item_status_changed", "csat.received"],
        },
        headers={"Authorization": f"Bearer {admin_raw}"},
        timeout=10,
    )
    assert subscribed.status_code == 201, subscribed.text
    secret = subscribed.json()["secret"]

    pm_api = {"Authorization": f"Bearer {pm_raw}"}
    item = requests.post(
        f"{base}/feedback-items", json={"title": "SSO"}, headers=pm_api, timeout=10
    )
    assert item.status_code == 201, item.text
    shipped = requests.patch(
        f"{base}/feedback-items/{item.json()['id']}",
        json={"status": "shipped"},
        headers={**pm_api, "If-Match": item.headers["ETag"]},
        timeout=10,
    )
    assert shipped.status_code == 200, shipped.text
    rated = requests.post(
        f"{base}/tickets/{ticket.pk}/csat",
        json={"rating": "bad", "comment": "Too slow"},
        headers={"Authorization": f"Bearer {customer_raw}"},
        timeout=10,
    )
    assert rated.status_code == 200, rated.text

    assert [r.headers["X-Switchboard-Event"] for r in receiver.requests] == [
        "feedback.item_status_changed",
        "csat.received",
    ]
    for received in receiver.requests:
        assert verify(
            secret=secret, body=received.body, header=received.headers["X-Switchboard-Signature"]
        )
    assert receiver.requests[0].json["data"]["change"]["new"] == "shipped"
    assert receiver.requests[1].json["data"]["csat"]["comment"] == "Too slow"


def test_suppressed_history_publishes_no_feedback_events(
    subscription, django_capture_on_commit_callbacks
):
    from tickets.events import suppressed

    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Dark mode", by=pm)
    with suppressed(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    assert callbacks == []
    assert not WebhookDelivery.objects.exists() and not FeedbackEvent.objects.exists()
