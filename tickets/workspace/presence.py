"""Who else has a ticket open, and who is typing: a small cache entry per ticket.

Each open ticket page polls every few seconds; an agent not heard from for ``STALE_AFTER`` seconds
has left. The cache is shared by all web processes (Redis in production).
"""

from __future__ import annotations

import time

from django.core.cache import cache

from accounts.models import User

STALE_AFTER = 20  # seconds without a poll
TYPING_FOR = 8  # seconds a keystroke counts as "typing"


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def touch(*, ticket_id: int, user: User, typing: bool = False) -> list[dict]:
    """Record that ``user`` is on the ticket; return the other agents there, typing ones first."""
    now = time.time()
    entries: dict = cache.get(_key(ticket_id)) or {}
    entries = {k: v for k, v in entries.items() if now - v["seen"] < STALE_AFTER}
    mine = entries.get(str(user.pk), {})
    entries[str(user.pk)] = {
        "name": user.display_name,
        "seen": now,
        "typing_until": now + TYPING_FOR if typing else mine.get("typing_until", 0),
    }
    cache.set(_key(ticket_id), entries, STALE_AFTER * 3)
    others = [
        {"name": v["name"], "typing": v["typing_until"] > now}
        for k, v in entries.items()
        if k != str(user.pk)
    ]
    return sorted(others, key=lambda o: (not o["typing"], o["name"]))


def stop_typing(*, ticket_id: int, user: User) -> None:
    entries: dict = cache.get(_key(ticket_id)) or {}
    if str(user.pk) in entries:
        entries[str(user.pk)]["typing_until"] = 0
        cache.set(_key(ticket_id), entries, STALE_AFTER * 3)
