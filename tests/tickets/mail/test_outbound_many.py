"""Queueing many mails at once (the SLA sweep): one INSERT, dedupe kept, one task fans out."""

from __future__ import annotations

from unittest import mock

import pytest

from tickets.mail import outbound
from tickets.mail.models import OutboundEmail
from tickets.mail.outbound import email_queue, email_queue_many
from tickets.mail.tasks import queue_outbound_emails

pytestmark = pytest.mark.django_db


def mail(key: str | None, to: str = "agent@example.com") -> dict:
    return {
        "kind": "sla_breach",
        "to": [to],
        "subject": "SLA\nbreached",
        "body_text": "Late.",
        "dedupe_key": key,
        "headers": {"Auto-Submitted": "auto-generated"},
    }


def test_queues_each_mail_once_skipping_keys_already_queued(django_capture_on_commit_callbacks):
    email_queue(**mail("k1"))
    with mock.patch.object(queue_outbound_emails, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            rows = email_queue_many([mail("k1"), mail("k2"), mail("k2"), mail(None), mail("k3")])
    assert [r.dedupe_key for r in rows] == ["k2", None, "k3"]
    assert OutboundEmail.objects.count() == 4
    assert rows[0].subject == "SLA breached"  # the same header cleaning as email_queue
    assert rows[0].message_id_header.startswith("<")
    assert len(callbacks) == 1
    delay.assert_called_once_with([r.pk for r in rows])


def test_a_concurrent_duplicate_falls_back_to_one_by_one(monkeypatch):
    email_queue(**mail("k2"))
    # Another run queued k2 after our lookup: the lookup misses it, the INSERT collides.
    monkeypatch.setattr(outbound, "_queued_keys", lambda keys: set())
    rows = email_queue_many([mail("k1"), mail("k2")])
    assert [r.dedupe_key for r in rows] == ["k1"]
    assert OutboundEmail.objects.filter(dedupe_key="k2").count() == 1
    assert OutboundEmail.objects.filter(dedupe_key="k1").count() == 1


def test_nothing_new_queues_nothing(django_capture_on_commit_callbacks):
    email_queue(**mail("k1"))
    with django_capture_on_commit_callbacks() as callbacks:
        assert email_queue_many([mail("k1")]) == []
    assert callbacks == []


def test_the_fan_out_task_gives_each_mail_its_own_send_task():
    with mock.patch("tickets.mail.tasks.send_outbound_email.delay") as send:
        assert queue_outbound_emails.apply(args=[[3, 5]]).get() == 2
    assert [c.args for c in send.call_args_list] == [(3,), (5,)]


def test_a_broker_outage_leaves_the_rows_for_the_outbound_sweep(caplog):
    with mock.patch.object(queue_outbound_emails, "delay", side_effect=ConnectionError):
        outbound._enqueue_many([1, 2])
    assert "the sweep will pick them up" in caplog.text
