from __future__ import annotations

import pytest

from support.celery import app
from tests.support.settings_loader import load_settings

QUEUES = {"default", "mail", "notifications", "sla", "webhooks"}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("tickets.tasks.send_outbound_email", "mail"),
        ("tickets.tasks.sweep_outbound_email", "mail"),
        ("tickets.mail.tasks.ingest_inbound_email", "mail"),
        ("tickets.mail.tasks.poll_imap", "mail"),
        ("tickets.mail.tasks.queue_outbound_emails", "mail"),
        ("support.tasks.dispatch_events", "notifications"),
        ("support.tasks.sweep_undispatched_events", "notifications"),
        ("tickets.notifications.tasks.notify", "notifications"),
        ("tickets.sla.tasks.sweep_sla", "sla"),
        ("tickets.webhooks.tasks.deliver_webhook", "webhooks"),
        ("feedback.tasks.send_survey", "default"),
    ],
)
def test_tasks_are_routed_to_their_area_queue(task, queue):
    assert queue_of(task) == queue


def test_inbound_mail_and_sla_sweeps_never_share_a_queue():
    """A flood of inbound mail fills the mail queue; the SLA worker reads only its own."""
    assert queue_of("tickets.mail.tasks.ingest_inbound_email") != queue_of(
        "tickets.sla.tasks.sweep_sla"
    )


def test_a_worker_without_q_consumes_every_queue():
    """The embedded default runs one worker (celery worker -B): it must still get every task."""
    assert set(app.amqp.queues) == QUEUES


def test_every_registered_task_lands_on_a_declared_queue():
    app.loader.import_default_modules()
    for name in app.tasks:
        if not name.startswith("celery."):
            assert queue_of(name) in QUEUES, name


def test_the_broker_follows_redis_url_unless_celery_broker_url_names_another(monkeypatch):
    redis = "redis://cache:6379/0"
    assert load_settings(monkeypatch, REDIS_URL=redis).CELERY_BROKER_URL == redis
    rabbit = "amqp://switchboard@mq:5672//"
    loaded = load_settings(monkeypatch, REDIS_URL=redis, CELERY_BROKER_URL=rabbit)
    assert loaded.CELERY_BROKER_URL == rabbit
    assert loaded.CELERY_BROKER_TRANSPORT_OPTIONS == {}
    assert load_settings(monkeypatch).CELERY_BROKER_URL == "filesystem://"
