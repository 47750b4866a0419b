"""The Redis cache, failing open: with Redis unreachable, reads miss and writes are dropped
(logged, counted in ``/metrics`` as ``switchboard_cache_errors_total``), so everything that
only *uses* the cache — sessions (read through to the database: ``cached_db``), rate limits,
presence, report caches — keeps working on PostgreSQL alone. Writes never needed Redis; their
side effects wait in the outboxes, which the sweeps deliver once Redis (the broker) is back.
"""

from __future__ import annotations

import logging
import time

import redis.exceptions
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# Seconds between two log lines about the same outage (every request would log otherwise).
LOG_EVERY_SECONDS = 30
# After a failure, Redis is not asked again for this long: a request during an outage costs
# nothing, not a connection attempt (and the client's retries) per cache call.
SKIP_SECONDS = 5.0
_state = {"errors": 0, "logged_at": 0.0, "down_until": 0.0}
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def cache_errors() -> int:
    """Cache operations that failed in this process since it started (for /metrics)."""
    return _state["errors"]


def cache_down() -> bool:
    """Whether Redis failed a moment ago (then it is not asked: see SKIP_SECONDS)."""
    return time.monotonic() < _state["down_until"]


def cache_failed(operation: str, exc: Exception) -> None:
    _state["errors"] += 1
    now = time.monotonic()
    _state["down_until"] = now + SKIP_SECONDS
    if now - _state["logged_at"] >= LOG_EVERY_SECONDS:
        _state["logged_at"] = now
        logger.warning(
            "Cache unreachable (%s: %s): failing open — reads miss, writes are dropped, "
            "rate limits are not counted",
            operation,
            exc,
        )


def _fail_open(name: str, default):
    method = getattr(RedisCache, name)

    def wrapper(self, *args, **kwargs):
        if cache_down():
            _state["errors"] += 1
            return default(*args, **kwargs) if callable(default) else default
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            cache_failed(name, exc)
            return default(*args, **kwargs) if callable(default) else default

    wrapper.__name__ = name
    return wrapper


def _get_default(key, default=None, version=None):
    return default


class FailOpenRedisCache(RedisCache):
    get = _fail_open("get", _get_default)
    get_many = _fail_open("get_many", {})
    set = _fail_open("set", None)
    set_many = _fail_open("set_many", [])
    add = _fail_open("add", False)
    delete = _fail_open("delete", False)
    delete_many = _fail_open("delete_many", None)
    touch = _fail_open("touch", False)
    clear = _fail_open("clear", False)
    has_key = _fail_open("has_key", False)
    incr = _fail_open("incr", 1)
    decr = _fail_open("decr", 0)
    get_or_set = _fail_open(
        "get_or_set", lambda key, default, *a, **k: default() if callable(default) else default
    )
