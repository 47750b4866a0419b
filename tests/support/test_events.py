"""The one event stream (``support.events``): every registered table, one registry of handlers,
one dispatch task and one sweep. Ticket events' own guarantees are in
tests/tickets/test_events_sweep.py and test_events_batch.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from kombu.exceptions import OperationalError

from feedback import events as feedback_events
from feedback.models import FeedbackEvent, ItemStatus
from feedback.services import feedback_item_change_status, feedback_item_create
from support import clock, events, tasks
from tests import factories
from tickets import services
from tickets.models import EventKind, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """(table, id) of every event a test handler heard, in order."""
    calls: list[tuple[str, int]] = []

    def handler(event) -> None:
        calls.append((event._meta.label_lower, event.pk))

    events.subscribe(events.ALL)(handler)
    yield calls
    events.unsubscribe(handler)


def test_ticket_and_feedback_events_are_tables_of_the_one_stream():
    labels = {table.label: table for table in events.tables()}
    assert {"tickets.ticketevent", "feedback.feedbackevent"} <= set(labels)
    assert set(EventKind.values) == labels["tickets.ticketevent"].kinds
    assert set(feedback_events.KINDS) == labels["feedback.feedbackevent"].kinds


def test_a_kind_belongs_to_one_table():
    with pytest.raises(ValueError, match="belong to tickets.ticketevent"):
        events.register(FeedbackEvent, kinds=[EventKind.REPLIED])
    # The registration that failed changed nothing.
    assert EventKind.REPLIED not in next(
        t.kinds for t in events.tables() if t.label == "feedback.feedbackevent"
    )


def test_a_handler_can_only_subscribe_to_kinds_some_table_writes():
    with pytest.raises(ValueError, match="Unknown event kinds"):
        events.subscribe("ticket.replied")


def test_only_an_event_table_can_register():
    from django.core.exceptions import FieldDoesNotExist

    from tickets.models import Tag

    with pytest.raises(FieldDoesNotExist):
        events.register(Tag, kinds=["tag.made"])


def test_handlers_get_the_row_of_the_table_they_listen_to(
    ticket, agent, heard, django_capture_on_commit_callbacks
):
    TicketEvent.objects.update(dispatched_at=clock.now())
    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Dark mode", by=pm)
    got = []
    events.subscribe(feedback_events.ITEM_STATUS_CHANGED)(got.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_note(ticket=ticket, body="Asked the PM", by=agent)
            feedback_item_change_status(item=item, status=ItemStatus.PLANNED, by=pm)
    finally:
        events.unsubscribe(got.append)
    [feedback_event] = got
    assert isinstance(feedback_event, FeedbackEvent) and feedback_event.data["new"] == "planned"
    note = TicketEvent.objects.get(kind=EventKind.NOTE_ADDED)
    assert heard == [
        ("tickets.ticketevent", note.pk),
        ("feedback.feedbackevent", feedback_event.pk),
    ]
    assert not TicketEvent.objects.filter(dispatched_at__isnull=True).exists()
    assert not FeedbackEvent.objects.filter(dispatched_at__isnull=True).exists()


def test_one_sweep_requeues_the_lost_events_of_every_table_once(
    ticket, agent, heard, monkeypatch, django_capture_on_commit_callbacks
):
    TicketEvent.objects.update(dispatched_at=clock.now())
    pm = factories.ProductManagerFactory()
    item = feedback_item_create(title="Dark mode", by=pm)

    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.dispatch_events, "delay", refuse)  # the broker is down at commit
        with django_capture_on_commit_callbacks(execute=True):
            services.ticket_note(ticket=ticket, body="Asked the PM", by=agent)
            feedback_item_change_status(item=item, status=ItemStatus.SHIPPED, by=pm)
    assert heard == []
    note = TicketEvent.objects.get(kind=EventKind.NOTE_ADDED)
    shipped = FeedbackEvent.objects.get()

    with clock.travel(clock.now() + timedelta(minutes=10)):
        assert tasks.sweep_undispatched_events() == 2  # the one beat task, both tables
        assert tasks.sweep_undispatched_events() == 0
    assert heard == [("tickets.ticketevent", note.pk), ("feedback.feedbackevent", shipped.pk)]
    note.refresh_from_db()
    shipped.refresh_from_db()
    assert note.dispatched_at is not None and shipped.dispatched_at is not None


def test_the_dispatch_task_skips_events_already_dispatched_in_a_batch(ticket, agent, heard):
    with events.suppressed():  # born dispatched
        services.ticket_note(ticket=ticket, body="Imported", by=agent)
    imported = TicketEvent.objects.get(kind=EventKind.NOTE_ADDED)
    services.ticket_note(ticket=ticket, body="New", by=agent)  # its commit never comes
    owed = TicketEvent.objects.filter(kind=EventKind.NOTE_ADDED).latest("pk")
    tasks.dispatch_events.delay("tickets.ticketevent", [imported.pk, owed.pk])
    assert heard == [("tickets.ticketevent", owed.pk)]
    tasks.dispatch_events.delay("tickets.ticketevent", [imported.pk, owed.pk])  # redelivered
    assert heard == [("tickets.ticketevent", owed.pk)]
