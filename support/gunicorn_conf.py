"""Gunicorn hooks (``gunicorn -c python:support.gunicorn_conf``): the Prometheus samples
directory starts empty with the server, and a worker that exits drops its live gauges."""

from __future__ import annotations

import os


def on_starting(server) -> None:
    if os.environ.get("PROMETHEUS_RESET_ON_START", "1") == "0":
        return  # emptied by whoever started gunicorn beside the worker (manage.py runstack)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")
    import django

    django.setup()
    from support.prom import reset_directory

    reset_directory()


def child_exit(server, worker) -> None:
    from support.prom import process_exited

    process_exited(worker.pid)
