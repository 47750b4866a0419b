"""Liveness and readiness probes for load balancers and orchestrators.

``/readyz`` fails (503) when the database or the broker is unreachable. Apps add **warning
checks** with :func:`warning_check` (registered in their ``AppConfig.ready``; support imports no
app): each returns ``None`` when all is well or a sentence; a warning is reported under its name
in ``checks`` and listed in ``warnings``, but never makes the service unready (the tickets app's
``unrouted``: open tickets without a team, counted from an index).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from support.celery import app as celery_app

logger = logging.getLogger(__name__)
WarningCheck = Callable[[], "str | None"]
_warning_checks: dict[str, WarningCheck] = {}


def warning_check(name: str, check: WarningCheck) -> WarningCheck:
    """Report ``check()`` in ``/readyz`` as ``name``: a warning, never a failure."""
    _warning_checks[name] = check
    return check


def _warnings() -> dict[str, str | None]:
    found = {}
    for name, check in _warning_checks.items():
        try:
            found[name] = check()
        except Exception as exc:  # a warning check that breaks is itself a warning
            logger.exception("Readiness warning check %s failed", name)
            found[name] = f"{type(exc).__name__}: {exc}"
    return found


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means not ready; the message names it
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            if conn.transport_cls == "filesystem":
                # The embedded broker is a folder: ready when the worker's inbox is writable.
                options = conn.transport_options
                folder = Path(options.get("data_folder_out", "."))
                folder.mkdir(parents=True, exist_ok=True)
                if not os.access(folder, os.W_OK):
                    return f"Broker folder {folder} is not writable"
                return None
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            client = getattr(conn.default_channel, "client", None)
            if client is not None and hasattr(client, "ping"):
                client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    failing = {name: error for name, error in checks.items() if error}
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": {name: (error or "ok") for name, error in checks.items()},
    }
    if "database" not in failing:  # the warning checks read the database
        warnings = _warnings()
        body["checks"].update(
            {name: f"warning: {text}" if text else "ok" for name, text in warnings.items()}
        )
        if any(warnings.values()):
            body["warnings"] = sorted(name for name, text in warnings.items() if text)
    return JsonResponse(body, status=503 if failing else 200)
