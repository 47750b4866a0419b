"""support.localcache: a per-process copy, reloaded on a version change, when old, and read
from its source while the cache is down."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from support import localcache
from support.localcache import ProcessCache


@pytest.fixture
def loads():
    calls: list[int] = []

    def load() -> int:
        calls.append(1)
        return len(calls)

    cached = ProcessCache("test-localcache", load)
    cached.forget()
    cache.delete(cached.key)
    return cached, calls


def test_loads_once_until_the_version_changes(loads):
    cached, calls = loads
    assert [cached.get(), cached.get()] == [1, 1]
    cache.set(cached.key, "bumped by another process", timeout=None)
    assert cached.get() == 2 and len(calls) == 2


def test_invalidate_reloads_here_and_bumps_the_version_for_the_others(loads):
    cached, _ = loads
    cached.get()
    before = cache.get(cached.key)
    cached.invalidate()
    assert cache.get(cached.key) != before
    assert cached.get() == 2


def test_the_version_is_what_a_change_bumps_and_none_while_the_cache_is_down(loads, monkeypatch):
    # What is built from the value elsewhere (the API schema) is kept per version.
    cached, calls = loads
    first = cached.version()
    assert first is not None and cached.version() == first and not calls
    cached.invalidate()
    assert cached.version() not in (None, first)

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    monkeypatch.setattr(localcache, "cache", Down())
    assert cached.version() is None


def test_a_copy_older_than_the_limit_is_reloaded(loads, monkeypatch):
    cached, _ = loads
    assert cached.get() == 1
    monkeypatch.setattr(localcache, "MAX_AGE_SECONDS", -1)
    assert cached.get() == 2


def test_a_cache_outage_reads_the_source_instead_of_failing(loads, monkeypatch):
    cached, calls = loads
    cached.get()

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    monkeypatch.setattr(localcache, "cache", Down())
    assert [cached.get(), cached.get()] == [2, 3]  # every read goes to the source
    cached.invalidate()  # can't announce it; doesn't raise either


def _count_gets(monkeypatch) -> list[str]:
    asked: list[str] = []

    class Counting:
        """The real cache, with its GETs counted."""

        def get(self, key, *args, **kwargs):
            asked.append(key)
            return cache.get(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(cache, name)

    monkeypatch.setattr(localcache, "cache", Counting())
    return asked


def test_one_change_asks_for_the_version_once(db, loads, monkeypatch):
    """A create consults the same cache from several hooks: one round trip per change, and the
    rules a change started with are the ones it ends with."""
    from django.db import transaction

    cached, calls = loads
    cached.get()  # loaded
    asked = _count_gets(monkeypatch)
    with transaction.atomic():
        assert [cached.get(), cached.get(), cached.get()] == [1, 1, 1]
        assert asked == [cached.key]
        cache.set(cached.key, "bumped by another process", timeout=None)
        assert cached.get() == 1  # not in the middle of this change
    assert cached.get() == 2  # the next read outside it sees the change
    with transaction.atomic():
        assert cached.get() == 2
    assert len(asked) == 3 and len(calls) == 2


def test_outside_a_change_every_read_asks(db, loads, monkeypatch):
    cached, _ = loads
    cached.get()
    asked = _count_gets(monkeypatch)
    cached.get()
    cached.get()
    assert len(asked) == 2


def test_a_change_in_this_transaction_is_read_from_the_source(db, loads):
    from django.db import transaction

    cached, calls = loads
    with transaction.atomic():
        cached.get()
        cached.invalidate()
        assert cached.get() == 2 and cached.get() == 3  # its own uncommitted rows, every time
