"""Publishing many events at once: one INSERT, one on-commit callback, one task for the batch."""

from __future__ import annotations

from unittest import mock

import pytest

from support import events as stream
from support.tasks import dispatch_events
from tickets import events
from tickets.models import EventKind, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    got: list[TicketEvent] = []
    handler = stream.subscribe(EventKind.SLA_BREACHED)(got.append)
    yield got
    stream.unsubscribe(handler)


def build(ticket, field: str) -> TicketEvent:
    return events.event_build(
        ticket, kind=EventKind.SLA_BREACHED, by=None, field=field, old="due x", new=None
    )


def test_record_events_publishes_the_batch_once_after_commit(
    ticket, heard, django_capture_on_commit_callbacks
):
    with mock.patch.object(dispatch_events, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            saved = events.record_events(build(ticket, f) for f in ("first_response", "resolution"))
        assert len(saved) == 2 and all(e.pk for e in saved)
        assert saved[0].new == "" and saved[0].actor is None  # same text rules as record_event
        assert len(callbacks) == 1 and delay.call_count == 0  # nothing leaves before the commit
        callbacks[0]()
    delay.assert_called_once_with("tickets.ticketevent", [e.pk for e in saved])


def test_the_batch_task_hands_every_event_to_its_handlers_in_order(
    ticket, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        saved = events.record_events(build(ticket, f) for f in ("first_response", "resolution"))
    assert [e.pk for e in heard] == [e.pk for e in saved]
    assert heard[0].ticket == ticket  # handlers get the event with its ticket loaded


def test_a_failing_event_is_retried_alone(ticket, heard):
    first, second = events.record_events(
        [build(ticket, "first_response"), build(ticket, "resolution")]
    )
    stream.subscribe(EventKind.SLA_BREACHED)(boom := mock.Mock(side_effect=[RuntimeError, None]))
    try:
        with mock.patch.object(dispatch_events, "delay") as single:
            dispatch_events.apply(args=["tickets.ticketevent", [first.pk, second.pk]]).get()
    finally:
        stream.unsubscribe(boom)
    assert [e.pk for e in heard] == [first.pk, second.pk]  # the second was not held up
    single.assert_called_once_with("tickets.ticketevent", [first.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.dispatched_at is None and second.dispatched_at is not None


def test_suppressed_batches_are_recorded_but_not_published(
    ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, events.suppressed():
        events.record_events([build(ticket, "resolution")])
    assert callbacks == []
    assert ticket.events.filter(kind=EventKind.SLA_BREACHED).count() == 1


def test_an_empty_batch_publishes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert events.record_events([]) == []
    assert callbacks == []
