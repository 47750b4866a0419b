"""Optional error tracking with Sentry, on when ``SENTRY_DSN`` is set (the settings call
:func:`init`).

Personal data stays here: ``send_default_pii`` is off (no user, cookies or client addresses),
and :func:`scrub` runs on every event before it leaves — request bodies, headers, cookies and
query values are dropped, the user is reduced to an id, the values of fields that hold mail,
messages or secrets (``body``, ``subject``, ``email``, ``password`` …, in local variables and
extra data too) are removed, and any email address left in a message, an exception text or a
breadcrumb is replaced. What remains is the error's type, its stack (code, not data) and the
request's method, path and id.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
REMOVED = "[removed]"
# Keys whose values are a person's words or identity, wherever they appear in an event.
PERSONAL_KEYS = frozenset(
    {
        "body",
        "body_text",
        "body_html",
        "raw",
        "text",
        "quote",
        "reply",
        "note",
        "subject",
        "email",
        "to",
        "cc",
        "from_email",
        "from_address",
        "name",
        "phone",
        "password",
        "token",
        "authorization",
        "cookie",
        "cookies",
        "data",
        "headers",
        "query_string",
        "ip_address",
    }
)
KEEP_REQUEST = ("method", "url", "env")
# Sentry's own description of the event (the SDK, the runtime, the modules): addresses are still
# replaced there, but a key such as "name" is Sentry's, not a person's.
STRUCTURAL = frozenset({"sdk", "contexts", "modules", "platform", "release", "environment"})


def _clean(value, depth: int = 0, *, by_key: bool = True):
    if depth > 20:
        return REMOVED
    if isinstance(value, str):
        return EMAIL.sub("[email]", value)
    if isinstance(value, dict):
        return {
            key: (
                REMOVED
                if by_key and isinstance(key, str) and key.lower() in PERSONAL_KEYS
                else _clean(item, depth + 1, by_key=by_key)
            )
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_clean(item, depth + 1, by_key=by_key) for item in value]
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """``before_send``: the event without personal data (see the module's docstring)."""
    request = event.get("request")
    if isinstance(request, dict):
        kept = {key: request[key] for key in KEEP_REQUEST if key in request}
        if "url" in kept:
            kept["url"] = EMAIL.sub("[email]", kept["url"].split("?", 1)[0])
        if isinstance(kept.get("env"), dict):
            kept["env"] = {k: v for k, v in kept["env"].items() if k != "REMOTE_ADDR"}
        event["request"] = kept
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    return {
        key: _clean(value, by_key=key not in STRUCTURAL) if key != "user" else value
        for key, value in event.items()
    }


def init(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=True,
        before_send=scrub,
        before_send_transaction=scrub,
        before_breadcrumb=lambda crumb, hint: _clean(crumb),
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
