"""Sign-in throttling: a fixed window of failed attempts per account and per client address.

Counted with ``support.ratelimit`` (anchored windows in the cache: Redis in production, the file
cache embedded), so every web process sees the same numbers. A successful sign-in clears the
account's counter, not the address's: one good password must not buy an attacker more guesses
at other accounts.
"""

from __future__ import annotations

from support import ratelimit

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
SCOPE = "login-fail"


def _counters(*, email: str, ip: str) -> list[tuple[str, str]]:
    counters = [(f"{SCOPE}:ip", ip or "unknown")]
    if email:
        counters.append((f"{SCOPE}:acct", email))
    return counters


def login_blocked(*, email: str, ip: str) -> bool:
    return any(
        ratelimit.peek(scope, key, limit=MAX_FAILURES, window=WINDOW_SECONDS).count >= MAX_FAILURES
        for scope, key in _counters(email=email, ip=ip)
    )


def login_failed(*, email: str, ip: str) -> None:
    for scope, key in _counters(email=email, ip=ip):
        ratelimit.hit(scope, key, limit=MAX_FAILURES, window=WINDOW_SECONDS)


def login_succeeded(*, email: str) -> None:
    ratelimit.clear(f"{SCOPE}:acct", email)


client_ip = ratelimit.client_ip
