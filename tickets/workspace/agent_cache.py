"""Per-agent lists every workspace page reads and that rarely change: saved views (the side
navigation) and canned responses (the composer).

Each was a query (and its ORM work) on every page view. They are kept in the cache per agent
together with a shared version number; any change that could alter any agent's list (a saved view
or canned response saved or deleted, a view shared, a team renamed, joined or left) bumps the
version, at once and again after the change commits, so the next read rebuilds. One cache round
trip reads both the entry and the version. ``AGENT_CACHE_SECONDS`` bounds the life of an entry
(should a bump ever be missed, or the version key be evicted and start again from 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

VERSION_KEY = "workspace:agent-lists:version"
AGENT_CACHE_SECONDS = 300


def cached_for_agent(name: str, agent_id: int, build: Callable[[], T]) -> T:
    key = f"workspace:{name}:{agent_id}"
    found = cache.get_many([key, VERSION_KEY])
    version = found.get(VERSION_KEY, 0)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = build()
    cache.set(key, (version, value), AGENT_CACHE_SECONDS)
    return value


def _bump() -> None:
    cache.add(VERSION_KEY, 0, None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted between the two calls: a fresh number is as good
        cache.set(VERSION_KEY, 1, None)


# Marks on-commit work that only invalidates a cache (tests that count queued work skip it).
_bump.invalidates_cache = True


def agent_lists_changed(**kwargs) -> None:
    _bump()
    transaction.on_commit(_bump)


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from accounts.models import Team
    from tickets.models import CannedResponse, SavedView

    for model in (SavedView, CannedResponse, Team):
        post_save.connect(agent_lists_changed, sender=model, dispatch_uid=f"agent-lists-{model}")
        post_delete.connect(
            agent_lists_changed, sender=model, dispatch_uid=f"agent-lists-del-{model}"
        )
    for through in (SavedView.shared_with.through, Team.members.through):
        m2m_changed.connect(
            agent_lists_changed, sender=through, dispatch_uid=f"agent-lists-m2m-{through}"
        )
