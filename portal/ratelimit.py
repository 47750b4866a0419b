"""The portal's rate limits, written as ``"count/seconds"`` in settings, counted by
``support.ratelimit`` (anchored fixed windows in the cache, shared by all processes)."""

from __future__ import annotations

from support import ratelimit
from support.ratelimit import (
    client_ip,  # noqa: F401 - the portal's views use it from here
    parse_rate,
)


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one attempt for ``key``; ``False`` when it goes over ``rate``."""
    limit, window = parse_rate(rate)
    return ratelimit.hit(f"portal:{scope}", key, limit=limit, window=window).allowed
