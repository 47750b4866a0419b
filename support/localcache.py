"""Small tables that change rarely but are read on every write (SLA policies, team addresses),
kept in each process and reloaded when any process changes them.

Each cached value has a version in the shared cache (Redis in production): reading it costs one
cache GET instead of the queries that build it. A change calls :meth:`ProcessCache.invalidate`
(from model signals, so the admin, services, fixtures and factories all count): that bumps the
version at once and again when the transaction commits, so a process that reloaded between the
two (seeing the old rows) reloads again. Until the changing transaction ends, the process that
made the change reads straight from the database (it sees its own uncommitted rows; if they roll
back, nothing stale was kept). A copy is also reloaded once it is a minute old, and a cache
outage falls back to the database: a change that could not be announced is seen within a minute.

Inside one change (an atomic block of the application's), the version is asked once: the rules a
change started with are the rules it ends with, and a create that consults the same cache from
several hooks pays one round trip, not one per hook. (An ``Atomic`` object can be reused, as
``@transaction.atomic`` does, so the snapshot also ends after a second.)
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import connection, transaction

T = TypeVar("T")
logger = logging.getLogger(__name__)

# A process's copy is reloaded at least this often, whatever the version says: the bound on
# staleness if a change was made without a signal (a queryset update()) or while the cache was
# down.
MAX_AGE_SECONDS = 60
# The longest one atomic block reuses the version it read (see the module's docstring).
SNAPSHOT_SECONDS = 1.0


class ProcessCache(Generic[T]):
    def __init__(self, name: str, load: Callable[[], T]) -> None:
        self.key = f"processcache:{name}:version"
        self._load = load
        self._held: tuple[str | None, T | None, float] = (None, None, 0.0)
        self._changing = threading.local()  # the outermost atomic block that made a change
        self._checked = threading.local()  # (atomic block, when) the version was last read in

    def get(self) -> T:
        if self._changed_in_this_transaction():
            return self._load()
        block = _change_block()
        held_version, value, loaded_at = self._held
        checked = getattr(self._checked, "at", None)
        if (
            block is not None
            and held_version is not None
            and checked is not None
            and checked[0] is block
            and time.monotonic() - checked[1] < SNAPSHOT_SECONDS
        ):
            return value  # type: ignore[return-value]  # this change already asked
        try:
            version = self._shared_version()
        except Exception:
            logger.warning("Cache unavailable: %s read from the database", self.key)
            return self._load()  # never fail a write because the cache is down
        stale = time.monotonic() - loaded_at > MAX_AGE_SECONDS
        if version is None or held_version != version or stale:
            value = self._load()
            self._held = (version, value, time.monotonic())
        self._checked.at = (block, time.monotonic()) if block is not None else None
        return value  # type: ignore[return-value]

    def version(self) -> str | None:
        """The shared version of the value (what a change bumps), or ``None`` if the cache is
        down: for what is built from the value and kept elsewhere (the API schema)."""
        try:
            return self._shared_version()
        except Exception:
            return None

    def _shared_version(self) -> str | None:
        """The version in the shared cache, set to a fresh one if there is none; raises if the
        cache is down."""
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            version = cache.get(self.key)
        return version

    def invalidate(self) -> None:
        self._held = (None, None, 0.0)
        self._checked.at = None
        self._bump()
        if connection.in_atomic_block and not self._changed_in_this_transaction():
            self._changing.block = connection.atomic_blocks[0]
            transaction.on_commit(self._committed)  # once per transaction

    def forget(self) -> None:
        """Drop this process's copy (tests: tables are emptied between tests without signals)."""
        self._held = (None, None, 0.0)
        self._changing.block = None
        self._checked.at = None

    def _committed(self) -> None:
        self._changing.block = None
        self._bump()

    def _bump(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
        except Exception:
            # Other processes can't be told; they reload within MAX_AGE_SECONDS anyway.
            logger.warning("Cache unavailable: could not announce a change of %s", self.key)

    def _changed_in_this_transaction(self) -> bool:
        block = getattr(self._changing, "block", None)
        if block is None:
            return False
        if connection.in_atomic_block and connection.atomic_blocks[0] is block:
            return True
        self._changing.block = None  # that transaction has ended, committed or rolled back
        return False


def _change_block():
    """The outermost atomic block the application opened (a test's own transaction doesn't
    count: it spans many changes), or None outside one."""
    if not connection.in_atomic_block:
        return None
    for block in connection.atomic_blocks:
        if not getattr(block, "_from_testcase", False):
            return block
    return None
