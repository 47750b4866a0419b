from __future__ import annotations

import pytest

from support.celery import app
from tests.support.settings_loader import load_settings

QUEUES = {"default", "transactional", "mail", "notifications", "sla", "webhooks"}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("tickets.mail.tasks.send_outbound_email", "mail"),
        ("tickets.mail.tasks.sweep_outbound_email", "mail"),
        ("tickets.mail.tasks.process_inbound_email", "mail"),
        ("tickets.mail.tasks.poll_imap", "mail"),
        ("support.tasks.dispatch_events", "notifications"),
        ("support.tasks.sweep_undispatched_events", "notifications"),
        ("tickets.sla.tasks.sweep_sla", "sla"),
        ("integrations.tasks.deliver_webhook", "webhooks"),
        ("feedback.tasks.send_due_csat_surveys", "default"),
    ],
)
def test_tasks_are_routed_to_their_area_queue(task, queue):
    assert queue_of(task) == queue


def test_inbound_mail_and_sla_sweeps_never_share_a_queue():
    """A flood of inbound mail fills the mail queue; the SLA worker reads only its own."""
    assert queue_of("tickets.mail.tasks.process_inbound_email") != queue_of(
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


def test_every_route_and_beat_entry_names_a_registered_task():
    """A route or schedule left behind by a moved or deleted task would silently match nothing."""
    from fnmatch import fnmatch

    from django.conf import settings

    app.loader.import_default_modules()
    names = [name for name in app.tasks if not name.startswith("celery.")]
    for pattern in settings.CELERY_TASK_ROUTES:
        assert any(fnmatch(name, pattern) for name in names), pattern
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in names, entry["task"]


def test_the_broker_follows_redis_url_unless_celery_broker_url_names_another(monkeypatch):
    redis = "redis://cache:6379/0"
    assert load_settings(monkeypatch, REDIS_URL=redis).CELERY_BROKER_URL == redis
    rabbit = "amqp://switchboard@mq:5672//"
    loaded = load_settings(monkeypatch, REDIS_URL=redis, CELERY_BROKER_URL=rabbit)
    assert loaded.CELERY_BROKER_URL == rabbit
    assert loaded.CELERY_BROKER_TRANSPORT_OPTIONS == {}
    assert load_settings(monkeypatch).CELERY_BROKER_URL == "filesystem://"
