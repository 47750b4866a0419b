"""Compact time labels for dense lists: "5m ago", "3h ago", "2d ago", "in 4h"."""

from __future__ import annotations

from datetime import datetime

from django import template

from support import clock

register = template.Library()


def _short(seconds: float) -> str:
    seconds = int(abs(seconds))
    if seconds < 60:
        return "now"
    for size, unit in (
        (86400 * 365, "y"),
        (86400 * 30, "mo"),
        (86400, "d"),
        (3600, "h"),
        (60, "m"),
    ):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


@register.filter
def ago(value: datetime | None) -> str:
    if not value:
        return ""
    delta = (clock.now() - value).total_seconds()
    label = _short(delta)
    if label == "now":
        return "just now"
    return f"{label} ago" if delta >= 0 else f"in {label}"
