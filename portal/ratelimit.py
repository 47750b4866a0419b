"""Fixed-window rate limits counted in the cache (Redis in production), shared by all processes."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/3600"`` → (5 requests, per 3600 seconds)."""
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one attempt for ``key``; ``False`` when it goes over ``rate``."""
    limit, window = parse_rate(rate)
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    cache_key = f"portal:rl:{scope}:{digest}"
    # add() only sets a missing key, so the window starts at the first attempt and isn't extended.
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, REMOTE_ADDR is the proxy unless it's configured to pass the client's
    # address; we trust only REMOTE_ADDR so a client can't pick its own bucket with a header.
    return request.META.get("REMOTE_ADDR", "") or "unknown"
