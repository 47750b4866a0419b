"""The transaction a report reads in: one consistent snapshot, tuned for aggregates, shared by
the report's lanes of queries when they run on connections of their own (PostgreSQL)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction


def _tune(cursor) -> None:
    # Room to sort: the percentiles of ~100,000 durations per grouping set spill to disk with
    # the default 4 MB. JIT compiling these one-off aggregates costs more than it saves (tens of
    # ms per query in their plans over 1,000,000 tickets).
    cursor.execute("SET LOCAL work_mem = '64MB'")
    cursor.execute("SET LOCAL jit = off")


@dataclass
class ReportSession:
    """The transaction a report reads in; ``snapshot`` names it for other connections to share
    (PostgreSQL's ``pg_export_snapshot``), when the report may spread over several."""

    snapshot: str | None = None

    def together(self, *lanes: Callable[[], dict]) -> dict:
        """Run ``lanes`` (each a function returning a dict of results) and merge what they return.

        With a shared snapshot, every lane but the first runs at the same time on a connection
        of its own, in a thread, reading exactly the data the first lane reads (the same
        snapshot: one consistent report). Otherwise (SQLite, inside a caller's transaction,
        ``REPORTS_CONNECTIONS=1``) one after the other here."""
        if self.snapshot is None or len(lanes) < 2:
            return {key: value for lane in lanes for key, value in lane().items()}
        with ThreadPoolExecutor(max_workers=len(lanes) - 1) as pool:
            # Copied context: the report's settings (e.g. replica reads) follow it to the thread.
            futures = [
                pool.submit(contextvars.copy_context().run, self._in_snapshot, lane)
                for lane in lanes[1:]
            ]
            results = lanes[0]()
            for future in futures:
                results |= future.result()
        return results

    def _in_snapshot(self, lane: Callable[[], dict]) -> dict:
        try:  # a thread has a connection of its own (Django's connections are per thread)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [self.snapshot])
                _tune(cursor)
                return lane()
        finally:
            connection.close()


@contextmanager
def report_session() -> Iterator[ReportSession]:
    """One transaction for a report's queries: one consistent snapshot of the data, tuned for
    aggregates on PostgreSQL (``_tune``). Opened by itself (not inside a caller's transaction) on
    PostgreSQL, it is exported, so the report's independent parts can run on
    ``REPORTS_CONNECTIONS`` connections at once (``ReportSession.together``)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        session = ReportSession()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                share = outermost and settings.REPORTS_CONNECTIONS > 1
                if share:  # must come first in the transaction
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                _tune(cursor)
                if share:
                    cursor.execute("SELECT pg_export_snapshot()")
                    session.snapshot = cursor.fetchone()[0]
        yield session
