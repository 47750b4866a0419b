"""The current time, for services and models.

Everything that stamps a time asks ``clock.now()``. Importing history (``seed_demo``) and tests move
the clock with ``clock.travel(when)``; nothing else needs to know.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("frozen", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def travel(when: datetime) -> Iterator[None]:
    if timezone.is_naive(when):
        raise ValueError("clock.travel needs an aware datetime")
    token = _frozen.set(when)
    try:
        yield
    finally:
        _frozen.reset(token)
