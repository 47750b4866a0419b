"""A worker killed while a webhook request is in flight: the attempt it made is in the log
(``attempts``), and the retry the sweep makes once the row is freed counts as another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings

from integrations.models import DeliveryStatus, WebhookDelivery
from integrations.services import (
    SENDING_TIMEOUT,
    webhook_deliveries_sweep,
    webhook_subscription_create,
)
from support import clock
from tests.stack import database_url
from tickets import services


@pytest.mark.django_db(transaction=True)
def test_an_attempt_cut_short_by_a_kill_is_counted_and_so_is_the_retry(
    receiver, admin_user, customer, django_capture_on_commit_callbacks
):
    webhook_subscription_create(
        name="CRM", url=receiver.url, event_types=["ticket.created"], owner=admin_user
    )
    receiver.script = [503]  # the first attempt fails: the delivery waits for its retry
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_create(requester=customer, subject="Broken", body="It broke")
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=clock.now())
    receiver.delay = 30  # the receiver holds the retry: the worker is killed meanwhile
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "WEBHOOKS_ALLOW_LOOPBACK": "true",
        "DJANGO_SETTINGS_MODULE": "support.settings",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "shell", "-c",
         "from integrations.services import webhook_deliver; "
         f"webhook_deliver(delivery_id='{delivery.pk}')"],
        cwd=django_settings.BASE_DIR, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(receiver.requests) == 2, "the worker's request never arrived"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING
    assert delivery.attempts == 2  # the attempt cut short is in the log

    receiver.delay = 0
    with clock.travel(clock.now() + SENDING_TIMEOUT + timedelta(seconds=1)):
        webhook_deliveries_sweep()  # frees the row and retries it (tasks run eagerly)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 3
    assert len(receiver.requests) == 3
