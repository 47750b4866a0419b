"""Structured logs: one JSON object per line when ``LOG_FORMAT=json``, and a request id on every
line that follows the work — from the web request (``X-Request-ID`` given by the proxy, or a new
one; answered in the response's ``X-Request-ID``) into the Celery tasks it queues (a task
header) and their log lines.

A line::

    {"time": "2026-12-05T01:02:03.456+00:00", "level": "WARNING", "logger": "tickets.mail",
     "message": "...", "request_id": "6f1c…", "process": 12, "exc_info": "Traceback …"}
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
HEADER = "X-Request-ID"
# A request id given by a proxy is kept when it looks like one (no spaces, no control
# characters, not huge): it ends up in every log line.
VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx/5xx answer after the middleware has returned: the request
            # it passes along still knows its id.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", "") or request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
            "process": record.process,
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status_code"] = status
        return json.dumps(line, default=str)


class RequestIdMiddleware:
    """First in the chain: every log line of the request carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if VALID_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


def task_publishing(headers: dict | None = None, **kwargs) -> None:
    """Celery ``before_task_publish``: the queuing request's id travels with the task."""
    request_id = request_id_var.get()
    if request_id and headers is not None and not headers.get("request_id"):
        headers["request_id"] = request_id


_TOKENS: dict[str, contextvars.Token] = {}


def task_starting(task=None, task_id=None, **kwargs) -> None:
    """Celery ``task_prerun``: the task's lines — and the rows it queues — carry the id it was
    queued with (its header), else the one of the code that ran it in-process (an eager task,
    in development and the tests), else its own."""
    given = getattr(task.request, "request_id", None) if task is not None else None
    if not given and task is not None:
        given = (getattr(task.request, "headers", None) or {}).get("request_id")
    own = f"task-{getattr(task.request, 'id', '') or uuid.uuid4().hex}"
    token = request_id_var.set(given or request_id_var.get() or own)
    if task_id:
        _TOKENS[task_id] = token


def task_finished(task=None, task_id=None, **kwargs) -> None:
    """Celery ``task_postrun``: back to the id from before the task (none in a worker; the
    request's after an eager task); remember when a beat task last ran."""
    token = _TOKENS.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context: start clean
            request_id_var.set("")
    else:
        request_id_var.set("")
    if task is not None:
        from support.status import beat_task_ran

        try:
            beat_task_ran(task.name)
        except Exception:  # the status page's bookkeeping never fails a task
            logging.getLogger(__name__).warning("Could not record the run of %s", task.name)
