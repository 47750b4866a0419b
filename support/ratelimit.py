"""Fixed-window rate limits counted in the cache (Redis in production), shared by every process.

One counter for every limit in the project: sign-in failures (``accounts/throttle.py``), portal
forms (``portal/ratelimit.py``), the REST API (``support/api.py``) and the mail channel's
auto-reply cap (``tickets/mail/loops.py``). A window is either

* **anchored** (the default): it starts at the key's first hit and is never extended — ``add``
  only sets a missing key, ``incr`` keeps its expiry. When it ends is not known to the caller.
* **aligned**: windows on the clock's grid (whole minutes, whole hours, from the epoch in UTC).
  The cache key carries the window's number, so ``reset_at`` is known (``X-RateLimit-Reset``).

Keys are hashed, so an email address or a token never appears in the cache's key space. Times
come from ``support.clock`` so tests can move them. No imports from the apps: they import us.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from support import clock
from support.cache import UNREACHABLE, cache_down, cache_failed

# Aligned keys outlive their window a little, so a process whose clock lags still finds them.
ALIGNED_SLACK_SECONDS = 5


@dataclass(frozen=True)
class RateResult:
    count: int  # hits in the current window, this one included
    limit: int
    reset_at: int | None  # epoch seconds when an aligned window ends; None when anchored
    retry_after: int | None  # whole seconds until then, at least 1; None when anchored

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def _cache_key(scope: str, key: str, number: int | None = None) -> str:
    digest = hashlib.sha256(key.strip().lower().encode()).hexdigest()[:32]
    base = f"rl:{scope}:{digest}"
    return base if number is None else f"{base}:{number}"


def _where(scope: str, key: str, window: int, aligned: bool) -> tuple[str, int, int | None, float]:
    """The cache key, its timeout and (aligned) the window's end, for now."""
    now = clock.now().timestamp()
    if not aligned:
        return _cache_key(scope, key), window, None, now
    number = int(now // window)
    return (
        _cache_key(scope, key, number),
        window + ALIGNED_SLACK_SECONDS,
        (number + 1) * window,
        now,
    )


def _result(count: int, limit: int, reset_at: int | None, now: float) -> RateResult:
    retry_after = None if reset_at is None else max(1, math.ceil(reset_at - now))
    return RateResult(count=count, limit=limit, reset_at=reset_at, retry_after=retry_after)


def hit(scope: str, key: str, *, limit: int, window: int, aligned: bool = False) -> RateResult:
    """Count one hit for ``key`` in ``scope``; ``.allowed`` is False once over ``limit``."""
    cache_key, timeout, reset_at, now = _where(scope, key, window, aligned)
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        try:
            if cache_down():
                raise ConnectionError("Redis failed a moment ago")
            count = _redis_hit(backend, cache_key, timeout)
        except UNREACHABLE as exc:
            # Fail open: a limit not counted for a while beats every request failing.
            cache_failed("ratelimit", exc)
            count = 0
        return _result(count, limit, reset_at, now)
    cache.add(cache_key, 0, timeout=timeout)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=timeout)
        count = 1
    return _result(count, limit, reset_at, now)


def _redis_hit(backend: RedisCache, cache_key: str, timeout: int) -> int:
    """``add`` + ``incr`` as one MULTI/EXEC: one round trip instead of three (Django's ``incr``
    asks ``EXISTS`` first), and no gap in which the key can expire. Stored as a plain integer,
    as Django's Redis cache stores ints, so ``cache.get`` (``peek``) reads it."""
    key = backend.make_and_validate_key(cache_key)
    client = backend._cache.get_client(key, write=True)
    pipe = client.pipeline(transaction=True)
    pipe.set(key, 0, ex=timeout, nx=True)
    pipe.incr(key)
    return int(pipe.execute()[1])


def peek(scope: str, key: str, *, limit: int, window: int, aligned: bool = False) -> RateResult:
    """The current window's count for ``key``, without counting a hit."""
    cache_key, _timeout, reset_at, now = _where(scope, key, window, aligned)
    return _result(int(cache.get(cache_key) or 0), limit, reset_at, now)


def clear(scope: str, key: str) -> None:
    """Forget an anchored window's count (a success that earns a fresh budget)."""
    cache.delete(_cache_key(scope, key))


def give_back(scope: str, key: str) -> None:
    """Take one hit back from an anchored window (an attempt that turned out fine)."""
    try:
        cache.decr(_cache_key(scope, key))
    except ValueError:  # the window ended meanwhile
        pass


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/3600"`` → (5 requests, per 3600 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def client_ip(request: HttpRequest) -> str:
    """The address a limit counts by: ``REMOTE_ADDR`` only, never a header.

    Behind a proxy, REMOTE_ADDR is the proxy unless the deployment passes the client's address
    there (gunicorn ``--forwarded-allow-ips``, the proxy's real-ip module). A header such as
    X-Forwarded-For is the client's to choose, so trusting it would let a client pick its own
    bucket.
    """
    return request.META.get("REMOTE_ADDR", "") or "unknown"
