"""Inbound races on PostgreSQL (real row locks and unique indexes, real threads): the same mail
delivered to several of our mailboxes at the same moment is one ticket; two mails from a new
sender at once make one contact and both land; a row that failed for a transient reason is
retried by the sweep."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.db import IntegrityError, connection

from customers.models import Customer
from tests.tickets.mail.conftest import build_mail
from tickets.mail import inbound
from tickets.mail.inbound import Transient, inbound_process, inbound_sweep
from tickets.mail.models import InboundEmail, InboundStatus
from tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(count: int, work) -> list[Exception]:
    """Run ``work(n)`` in ``count`` threads released together; each has its own connection."""
    start = threading.Barrier(count)
    errors: list[Exception] = []

    def run(n):
        try:
            start.wait()
            work(n)
        except Exception as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _store(raw: bytes, mailbox: str) -> int:
    """The row ``inbound_store`` writes, without queueing its processing (outside a test
    transaction ``on_commit`` runs at once, and the eager task would process it here): the
    test releases the processing of all rows together."""
    row = InboundEmail.objects.create(
        mailbox=mailbox, message_id_header=inbound._message_id_of(raw), raw=raw, source="pipe"
    )
    return row.pk


def test_same_mail_to_several_mailboxes_at_once_is_one_ticket():
    raw = build_mail(message_id="<everywhere@example.org>")
    mailboxes = ["support", "sales", "billing", "info"]
    ids = [_store(raw, mailbox) for mailbox in mailboxes]
    errors = _at_once(len(ids), lambda n: inbound_process(inbound_id=ids[n]))
    assert errors == []
    assert Ticket.objects.count() == 1
    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == ["ignored"] * 3 + ["processed"]
    confirmations = [m for m in django_mail.outbox if m.to == ["ada@example.org"]]
    assert len(confirmations) <= 1


def test_two_mails_from_a_new_sender_at_once_make_one_contact_and_both_land():
    ids = [
        _store(
            build_mail(sender="New Person <new@example.net>", subject=f"Question {n}"),
            "support",
        )
        for n in range(4)
    ]
    errors = _at_once(len(ids), lambda n: inbound_process(inbound_id=ids[n]))
    assert errors == []
    assert set(InboundEmail.objects.values_list("status", "error")) == {("processed", "")}
    assert Customer.objects.filter(email="new@example.net").count() == 1
    assert Ticket.objects.count() == 4


def test_transient_failure_stays_received_and_the_sweep_retries_it(monkeypatch):
    row_id = _store(build_mail(message_id="<flaky@example.org>"), "support")
    real = inbound._apply

    def flaky(row):
        raise IntegrityError("duplicate key value violates unique constraint (simulated race)")

    monkeypatch.setattr(inbound, "_apply", flaky)
    with pytest.raises(Transient):
        inbound_process(inbound_id=row_id)
    row = InboundEmail.objects.get(pk=row_id)
    assert row.status == InboundStatus.RECEIVED
    assert row.attempts == 1 and "Will be retried" in row.error
    monkeypatch.setattr(inbound, "_apply", real)
    InboundEmail.objects.filter(pk=row_id).update(received_at=row.received_at - timedelta(hours=1))
    assert inbound_sweep() == 1  # queued again (tasks run eagerly in tests)
    row.refresh_from_db()
    assert row.status == InboundStatus.PROCESSED, row.error
    assert Ticket.objects.count() == 1
