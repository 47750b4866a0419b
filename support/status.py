"""What the system is doing, read from the database, the broker and the cache: one set of
readings for the admins' status page (``/status/``) and for Prometheus (``/metrics``).

Apps add their readings with :func:`status_source` in ``AppConfig.ready`` (support imports no
app): the mail channel its outboxes and held mail, integrations its webhook deliveries. This
module reads what every app shares: the database and the broker (reachable?), the depth of
each Celery queue, the oldest undispatched event, the last run of each beat task (recorded by
:func:`beat_task_ran` from Celery's ``task_postrun``), cache failures, and the version.

Every number comes from shared state, not from the process that answers, so any web process
answers the same (request latency and SQL per request are per process and are not here: see
docs/operations.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu.exceptions import ChannelError

from support import clock
from support.cache import cache_errors

logger = logging.getLogger(__name__)


@dataclass
class Reading:
    """One number: a Prometheus sample (``metric`` with ``labels``) and a line of the page."""

    metric: str
    help: str
    value: float | None  # None: could not be read (the page says so; /metrics leaves it out)
    text: str  # the line on the status page
    labels: dict[str, str] = field(default_factory=dict)
    warn: bool = False
    link: str = ""  # where a person acts on it (a list with retry buttons)


Source = Callable[[], list[Reading]]
_sources: dict[str, Source] = {}
BEAT_KEY = "status:beat:{}"


def status_source(section: str, source: Source) -> Source:
    """Show ``source()``'s readings under ``section`` on the page and in /metrics."""
    _sources[section] = source
    return source


def age_seconds(at: datetime | None) -> float:
    return 0.0 if at is None else max(0.0, (clock.now() - at).total_seconds())


def describe_age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def version() -> str:
    return os.environ.get("SWITCHBOARD_VERSION") or _package_version()


def _package_version() -> str:
    try:
        return metadata.version("switchboard")
    except metadata.PackageNotFoundError:
        return "unknown"


def beat_task_ran(task_name: str) -> None:
    """Remember when a scheduled task last finished (Celery's ``task_postrun``)."""
    if task_name in _beat_tasks():
        cache.set(BEAT_KEY.format(task_name), clock.now().timestamp(), timeout=None)


def _beat_tasks() -> dict[str, float]:
    return {
        entry["task"]: float(entry["schedule"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def _platform() -> list[Reading]:
    readings = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = 1.0
    except Exception:
        logger.exception("Status: the database is unreachable")
        database = 0.0
    readings.append(
        Reading(
            "switchboard_database_up",
            "1 when the database answers.",
            database,
            "Database: reachable" if database else "Database: UNREACHABLE",
            warn=not database,
        )
    )
    depths = _queue_depths()
    readings.append(
        Reading(
            "switchboard_broker_up",
            "1 when the Celery broker answers.",
            1.0 if depths is not None else 0.0,
            "Broker: reachable" if depths is not None else "Broker: UNREACHABLE",
            warn=depths is None,
        )
    )
    for name, depth in (depths or {}).items():
        readings.append(
            Reading(
                "switchboard_queue_depth",
                "Tasks waiting in each Celery queue.",
                float(depth),
                f"Queue {name}: {depth} waiting",
                labels={"queue": name},
                warn=depth > 1000,
            )
        )
    errors = cache_errors()
    readings.append(
        Reading(
            "switchboard_cache_errors_total",
            "Cache operations that failed open in this process (Redis unreachable).",
            float(errors),
            f"Cache errors in this process: {errors}",
            warn=errors > 0,
        )
    )
    return readings


def _queue_depths() -> dict[str, int] | None:
    from support.celery import app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            channel = conn.default_channel
            return {
                queue.name: _depth(channel, queue.name) for queue in settings.CELERY_TASK_QUEUES
            }
    except Exception as exc:
        logger.warning("Status: the broker is unreachable (%s)", exc)
        return None


def _depth(channel, name: str) -> int:
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except ChannelError:  # never declared yet: nothing has been queued there
        return 0


def _beat() -> list[Reading]:
    readings = []
    stamps = cache.get_many([BEAT_KEY.format(name) for name in _beat_tasks()])
    for name, every in sorted(_beat_tasks().items()):
        stamp = stamps.get(BEAT_KEY.format(name))
        short = name.rsplit(".", 1)[-1]
        if stamp is None:
            readings.append(
                Reading(
                    "switchboard_beat_last_run_age_seconds",
                    "Seconds since each scheduled task last finished.",
                    None,
                    f"{short}: no run recorded yet",
                    labels={"task": name},
                    # Not a warning by itself (a fresh start); a late run is (below).
                )
            )
            continue
        age = max(0.0, clock.now().timestamp() - float(stamp))
        readings.append(
            Reading(
                "switchboard_beat_last_run_age_seconds",
                "Seconds since each scheduled task last finished.",
                age,
                f"{short}: {describe_age(age)} ago (every {describe_age(every)})",
                labels={"task": name},
                warn=age > max(3 * every, 300),
            )
        )
    return readings


def _events() -> list[Reading]:
    from support import events

    oldest = events.oldest_undispatched()
    age = age_seconds(oldest)
    return [
        Reading(
            "switchboard_event_oldest_undispatched_age_seconds",
            "Age of the oldest event whose side effects are still owed.",
            age,
            f"Oldest undispatched event: {describe_age(age) if oldest else 'none'}",
            warn=age > settings.EVENT_DISPATCH_GRACE_SECONDS * 2,
        )
    ]


def readings() -> dict[str, list[Reading]]:
    """Every section's readings; a source that breaks shows as one warning line."""
    found: dict[str, list[Reading]] = {}
    sources: dict[str, Source] = {
        "Platform": _platform,
        "Events": _events,
        **_sources,
        "Scheduled tasks": _beat,
    }
    for section, source in sources.items():
        try:
            found[section] = source()
        except Exception as exc:
            logger.exception("Status source %s failed", section)
            found[section] = [
                Reading(
                    "switchboard_status_source_up",
                    "1 when a status source could be read.",
                    0.0,
                    f"Could not be read: {type(exc).__name__}",
                    labels={"section": section},
                    warn=True,
                )
            ]
    return found
