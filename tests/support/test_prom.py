"""/metrics with prometheus-client: request latency and SQL per request by view, Celery tasks by
state, summed over every process that shares the samples directory (gunicorn's workers, the
Celery children), and still only for the token or an allowed address."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client

from support import prom

pytestmark = pytest.mark.django_db


def _scrape(settings) -> str:
    settings.METRICS_TOKEN = "scrape-me"
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me")
    assert response.status_code == 200
    return response.content.decode()


def _value(text: str, sample: str) -> float:
    """One sample's value (0 when absent); ``sample`` is the name with its labels as printed."""
    match = re.search(rf"^{re.escape(sample)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_the_samples_live_in_a_directory_shared_by_the_processes():
    assert prom.directory() and os.path.isdir(prom.directory())


def test_a_test_run_writes_its_samples_to_a_directory_of_its_own():
    """tests/conftest.py: not var/prometheus, where every run's files would pile up."""
    folder = os.path.realpath(prom.directory())
    assert os.path.basename(folder).startswith("switchboard-prometheus-")
    assert not folder.startswith(os.path.realpath(django_settings.VAR_DIR))


def test_request_latency_and_sql_are_counted_by_view(settings, agent):
    before = _scrape(settings)
    client = Client()
    client.force_login(agent)
    assert client.get("/agent/queues/mine/").status_code == 200
    after = _scrape(settings)
    count = 'switchboard_request_duration_seconds_count{method="GET",view="workspace:queue"}'
    assert _value(after, count) == _value(before, count) + 1
    queries = 'switchboard_request_sql_queries_sum{view="workspace:queue"}'
    assert _value(after, queries) >= _value(before, queries) + 1  # the page reads the database
    assert "# TYPE switchboard_request_duration_seconds histogram" in after
    assert 'switchboard_request_duration_seconds_bucket{le="0.5",method="GET"' in after


def test_celery_tasks_are_counted_by_state(settings):
    from support.tasks import sweep_undispatched_events

    name = "support.tasks.sweep_undispatched_events"
    before = _scrape(settings)
    sweep_undispatched_events.delay()
    after = _scrape(settings)
    for state in ("started", "succeeded"):
        sample = f'switchboard_celery_tasks_total{{state="{state}",task="{name}"}}'
        assert _value(after, sample) == _value(before, sample) + 1, state


def test_samples_of_another_process_are_summed_in(settings):
    """As a second gunicorn worker or a Celery child would: another process writes a sample
    into the same directory, and this process's /metrics answers it."""
    sample = 'switchboard_celery_tasks_total{state="failed",task="probe.other_process"}'
    before = _value(_scrape(settings), sample)
    code = (
        "from prometheus_client import Counter; "
        "Counter('switchboard_celery_tasks', 'x', ['task', 'state'])"
        ".labels(task='probe.other_process', state='failed').inc()"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": prom.directory()}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)  # noqa: S603
    assert _value(_scrape(settings), sample) == before + 1


def test_the_per_process_metrics_stay_behind_the_token(settings):
    settings.METRICS_TOKEN = "scrape-me"
    settings.METRICS_ALLOWED_IPS = []
    response = Client().get("/metrics", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 404
    assert b"switchboard_request_duration_seconds" not in response.content
