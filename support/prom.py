"""Per-process measurements for ``/metrics`` with ``prometheus-client``: request latency and SQL
queries per request, by view, and Celery tasks by state.

Gunicorn runs several worker processes and Celery several children; each writes its samples
to files in ``PROMETHEUS_MULTIPROC_DIR`` (``var/prometheus`` unless set; the settings set it
before this library is imported, which is when it picks its storage), and ``/metrics`` sums
them all (``MultiProcessCollector``), so any web process answers for every process on the
host. The directory is emptied when the whole set starts (``support.gunicorn_conf``,
``manage.py runstack``) and a finished gunicorn worker's live gauges are dropped. A test run
uses a temporary directory of its own, removed at the end (``tests/conftest.py``).

What is read from shared state (queues, outboxes, beat) stays in ``support.status``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from django.db import connections
from django.http import HttpRequest, HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUEST_SECONDS = Histogram(
    "switchboard_request_duration_seconds",
    "Time to answer a request, by the view that answered it.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUEST_QUERIES = Histogram(
    "switchboard_request_sql_queries",
    "SQL queries run to answer a request, by view.",
    ["view"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
)
TASKS = Counter(
    "switchboard_celery_tasks",
    "Celery tasks by name and state (started, succeeded, failed, retried).",
    ["task", "state"],
)


def directory() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def reset_directory() -> None:
    """Empty the samples directory: before a fresh set of processes starts, never while one
    runs (its counters would go back)."""
    folder = directory()
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def process_exited(pid: int) -> None:
    if directory():
        multiprocess.mark_process_dead(pid)


def exposition() -> str:
    """Every process's samples, summed, in the text format."""
    if not directory():
        return generate_latest().decode()
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry).decode()


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class RequestMetricsMiddleware:
    """Times each request and counts its SQL, labelled with the view's URL name (a bounded set:
    never the path, which holds ids)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match is not None else "") or "unmatched"
        REQUEST_SECONDS.labels(view=view, method=request.method).observe(
            time.perf_counter() - started
        )
        REQUEST_QUERIES.labels(view=view).observe(counter.count)
        return response


def task_state(task_name: str, state: str) -> None:
    TASKS.labels(task=task_name, state=state).inc()
