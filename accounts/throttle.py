"""Sign-in throttling: a fixed window of attempts per account and per client address.

Counted with ``support.ratelimit`` (anchored windows in the cache: Redis in production, the file
cache embedded), so every web process sees the same numbers. An attempt is counted *before* the
password is checked (``login_attempt``): the increment is atomic, so 40 wrong passwords sent at
once get at most ``MAX_FAILURES`` of them checked, never 40. A successful sign-in gives its
attempt back and clears the account's counter — not the address's: one good password must not
buy an attacker more guesses at other accounts. A completed password reset clears the account's
counter too (``login_unlock``), so no one can keep a person locked out by failing on purpose.

Password-reset mails and bad API tokens have limits of their own (``reset_allowed``,
``token_failures_blocked``), with 429 answers.
"""

from __future__ import annotations

from django.conf import settings

from support import ratelimit

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
SCOPE = "login-fail"


def _counters(*, email: str, ip: str) -> list[tuple[str, str]]:
    counters = [(f"{SCOPE}:ip", ip or "unknown")]
    if email:
        counters.append((f"{SCOPE}:acct", email))
    return counters


def login_attempt(*, email: str, ip: str) -> bool:
    """Count one sign-in attempt; ``False`` when the account or the address is over its limit
    (then the password must not be checked)."""
    results = [
        ratelimit.hit(scope, key, limit=MAX_FAILURES, window=WINDOW_SECONDS)
        for scope, key in _counters(email=email, ip=ip)
    ]
    return all(result.allowed for result in results)


def login_succeeded(*, email: str, ip: str) -> None:
    ratelimit.clear(f"{SCOPE}:acct", email)
    ratelimit.give_back(f"{SCOPE}:ip", ip or "unknown")


def login_unlock(*, email: str) -> None:
    """The account proved itself another way (a password reset): its failures are forgotten."""
    ratelimit.clear(f"{SCOPE}:acct", email)


def reset_allowed(*, email: str, ip: str) -> bool:
    """Count one password-reset request; ``False`` once the address or the account is over."""
    per_email = ratelimit.parse_rate(settings.PASSWORD_RESET_RATE_PER_EMAIL)
    per_ip = ratelimit.parse_rate(settings.PASSWORD_RESET_RATE_PER_IP)
    by_ip = ratelimit.hit("reset:ip", ip or "unknown", limit=per_ip[0], window=per_ip[1])
    by_email = ratelimit.hit("reset:acct", email, limit=per_email[0], window=per_email[1])
    return by_ip.allowed and by_email.allowed


TOKEN_WINDOW_SECONDS = 60


def token_failures_blocked(*, ip: str) -> bool:
    limit = settings.API_TOKEN_FAILURES_PER_MINUTE
    return ratelimit.peek("token-fail", ip, limit=limit, window=TOKEN_WINDOW_SECONDS).count >= limit


def token_failed(*, ip: str) -> None:
    limit = settings.API_TOKEN_FAILURES_PER_MINUTE
    ratelimit.hit("token-fail", ip, limit=limit, window=TOKEN_WINDOW_SECONDS)


client_ip = ratelimit.client_ip
