"""Send report reads to a read replica when ``DATABASE_REPLICA_URL`` configures one.

Reports and dashboards scan months of tickets; on a busy desk they belong on a replica, away from
the agents' writes. Code that reads for a report says so::

    with replica_reads():
        rows = list(report_query())

or decorates its view with ``@reads_from_replica``. Everything else (every write, and every read
outside such a block) uses ``default``. Without a replica configured the router changes nothing.
A replica lags the primary by a moment: fine for a report, wrong for "the page after I saved",
which is why replica reads are opted into, never the default.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings

REPLICA = "replica"
_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "replica_reads", default=False
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside this block go to the replica (when there is one)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the whole view (a report page) reads from the replica."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica holds the same rows as default: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        # The replica is a copy made by PostgreSQL replication, never migrated on its own.
        return db != REPLICA
