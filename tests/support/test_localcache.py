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
