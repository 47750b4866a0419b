"""Sign-in throttling: a fixed window of failed attempts per account and per client address.

Counters live in the cache (Redis in production, the file cache embedded), so every web process
sees the same numbers. A successful sign-in clears the account's counter, not the address's: one
good password must not buy an attacker more guesses at other accounts.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{scope}:{digest}"


def _keys(*, email: str, ip: str) -> list[str]:
    keys = [_key("ip", ip or "unknown")]
    if email:
        keys.append(_key("acct", email))
    return keys


def login_blocked(*, email: str, ip: str) -> bool:
    counts = cache.get_many(_keys(email=email, ip=ip))
    return any(int(n) >= MAX_FAILURES for n in counts.values())


def login_failed(*, email: str, ip: str) -> None:
    for key in _keys(email=email, ip=ip):
        # add() starts the window only once; incr() keeps its expiry.
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS)


def login_succeeded(*, email: str) -> None:
    cache.delete(_key("acct", email))


def client_ip(request) -> str:
    # Behind a proxy, REMOTE_ADDR is the proxy; deployments set the real address there
    # (gunicorn --forwarded-allow-ips / the proxy's real-ip module), not in a header we'd trust.
    return request.META.get("REMOTE_ADDR", "") or "unknown"
