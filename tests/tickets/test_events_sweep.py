"""Nothing is lost when an event's dispatch task is: the sweep queues undispatched events again.

Ticket events on the one event stream (``support.events``); feedback events get the same from the
same sweep (tests/integrations/test_feedback_sla_webhooks.py, tests/support/test_events.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from kombu.exceptions import OperationalError

from integrations import services as webhooks
from integrations.models import WebhookDelivery
from support import clock, events, tasks
from tickets import services
from tickets.mail.models import OutboundEmail
from tickets.models import EventKind, TicketEvent, TicketSearchDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(ticket):
    """The shared fixture's ticket, its creation already dispatched (factories skip the commit)."""
    TicketEvent.objects.update(dispatched_at=clock.now())
    return ticket


@pytest.fixture
def heard():
    """Event ids a test handler heard, in order (subscribed to every kind)."""
    calls: list[int] = []

    def handler(event: TicketEvent) -> None:
        calls.append(event.pk)

    events.subscribe(events.ALL)(handler)
    yield calls
    events.unsubscribe(handler)


@pytest.fixture
def broker_down():
    """Publishing fails at the boundary, as ``.delay`` does when the broker is unreachable;
    ``broker_down.undo()`` brings it back."""

    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.dispatch_events, "delay", refuse)
        yield patch


@pytest.fixture
def webhook_rows(monkeypatch, admin_user):
    """An active webhook subscription whose sends are recorded instead of made."""
    sent: list[str] = []
    monkeypatch.setattr(webhooks, "_send_on_commit", lambda delivery: sent.append(delivery.pk))
    with clock.travel(clock.now() - timedelta(days=1)):
        webhooks.webhook_subscription_create(
            name="CRM",
            url="https://crm.example.com/hook",
            event_types=["message.created"],
            owner=admin_user,
        )
    return sent


def later(minutes: int = 10):
    return clock.travel(clock.now() + timedelta(minutes=minutes))


def test_an_event_whose_publish_failed_is_dispatched_by_the_sweep_exactly_once(
    ticket, agent, heard, broker_down, webhook_rows, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, body="Have you tried turning it off?", by=agent)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.REPLIED)
    owed = list(TicketEvent.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True))
    assert event.pk in owed and heard == []  # the reply (and its status change to pending)
    assert not OutboundEmail.objects.exists() and not WebhookDelivery.objects.exists()

    assert events.sweep_undispatched() == 0  # not overdue yet: its task may still be on its way
    broker_down.undo()  # the broker is back
    with later(), django_capture_on_commit_callbacks(execute=True):
        assert events.sweep_undispatched() == len(owed)

    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert heard == owed  # each handler once per event, oldest first
    # every handler ran: the reply mail, the webhook delivery, the search document
    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == ["reply"]
    assert [m.to for m in django_mail.outbox] == [[ticket.requester.email]]
    assert WebhookDelivery.objects.filter(event=event).count() == 1 and len(webhook_rows) == 1
    assert "turning it off" in TicketSearchDocument.objects.get(ticket=ticket).document

    with later(30), django_capture_on_commit_callbacks(execute=True):
        assert events.sweep_undispatched() == 0  # a second sweep does nothing
    assert heard == owed and len(django_mail.outbox) == 1
    assert WebhookDelivery.objects.count() == 1


def test_the_normal_path_marks_events_dispatched(ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, body="Hi", by=agent)
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    with later():
        assert events.sweep_undispatched() == 0


def test_suppressed_events_count_as_dispatched_and_are_never_swept(
    customer, agent, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), events.suppressed():
        ticket = services.ticket_create(requester=customer, subject="Old", body="From the import")
        services.ticket_reply(ticket=ticket, body="Imported reply", by=agent)
    assert TicketEvent.objects.filter(ticket=ticket).count() >= 2
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    with later(60), django_capture_on_commit_callbacks(execute=True):
        assert events.sweep_undispatched() == 0
    assert heard == [] and not OutboundEmail.objects.exists()


def test_a_handler_that_fails_leaves_the_event_owed(
    ticket, agent, heard, django_capture_on_commit_callbacks
):
    def flaky(event: TicketEvent) -> None:
        raise ConnectionError("search backend down")

    events.subscribe(EventKind.REPLIED)(flaky)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_reply(ticket=ticket, body="Hi", by=agent)
        event = TicketEvent.objects.get(kind=EventKind.REPLIED)
        assert event.dispatched_at is None  # eager task failed; a worker would retry it
    finally:
        events.unsubscribe(flaky)
    with later(), django_capture_on_commit_callbacks(execute=True):
        assert events.sweep_undispatched() == 1
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert OutboundEmail.objects.filter(kind="reply").count() == 1  # its mail once, all the same


def test_an_event_is_queued_again_at_most_once_per_grace_period(
    ticket, agent, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, body="Hi", by=agent)
    owed = TicketEvent.objects.filter(dispatched_at__isnull=True).count()
    with later():
        assert events.sweep_undispatched() == owed  # tried (the broker is still down)
        assert events.sweep_undispatched() == 0  # not again within the grace period
    broker_down.undo()
    with later(20), django_capture_on_commit_callbacks(execute=True):
        assert events.sweep_undispatched() == owed
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert OutboundEmail.objects.filter(kind="reply").count() == 1


def test_events_older_than_the_window_are_given_up(ticket, agent, broker_down, settings):
    settings.EVENT_DISPATCH_MAX_AGE_HOURS = 1
    services.ticket_reply(ticket=ticket, body="Hi", by=agent)
    with later(120):
        assert events.sweep_undispatched() == 0


def test_the_dispatch_task_skips_an_event_already_dispatched(ticket, agent, heard):
    with events.suppressed():
        services.ticket_reply(ticket=ticket, body="Hi", by=agent)
    event = TicketEvent.objects.get(kind=EventKind.REPLIED)
    tasks.dispatch_events.delay("tickets.ticketevent", [event.pk])
    assert heard == []


def test_the_sweep_task_is_scheduled(settings):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "support.tasks.sweep_undispatched_events" in schedule
    assert "tickets.mail.tasks.sweep_mail_events" not in schedule
    # One sweep for every event table: feedback events have none of their own.
    assert "feedback.tasks.sweep_undispatched_feedback_events" not in schedule


def test_the_sweep_queues_at_most_its_limit_and_moves_past_events_just_queued(
    ticket, agent, broker_down
):
    for n in range(3):
        services.ticket_note(ticket=ticket, body=f"Note {n}", by=agent)
    owed = list(
        TicketEvent.objects.filter(dispatched_at__isnull=True).order_by("id").values_list("id")
    )
    assert len(owed) == 3
    with later():
        assert events.sweep_undispatched(limit=2) == 2
        assert events.sweep_undispatched(limit=2) == 1  # the third, not the two just queued
        assert events.sweep_undispatched(limit=2) == 0
