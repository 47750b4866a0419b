"""``{% load workspace %}``: what dense agent pages need, cheap per row.

- ``{{ value|ago }}``: compact time labels, "5m ago", "3h ago", "2d ago", "in 4h".
- ``{% options choices selected %}``: a long ``<option>`` list in one call.
- ``{% queue_rows rows %}``: a queue page's table rows in one call.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from support import clock
from tickets.templatetags.sla import sla_badge

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


@register.simple_tag
def options(choices, selected=None) -> str:
    """``<option>`` elements for ``(value, label)`` pairs, built in one call.

    ``{% options agents selected=ticket.assignee_id %}``: long lists (every agent, every team) in
    a template loop cost a variable lookup, a filter and an escape per option on every page view.
    ``selected`` is one value or a list of them, compared as strings (query-string values are).
    """
    if selected is None or selected == "":
        wanted: set[str] = set()
    elif isinstance(selected, list | tuple | set | frozenset):
        wanted = {str(v) for v in selected}
    else:
        wanted = {str(selected)}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if str(value) in wanted else "", label) for value, label in choices),
    )


_QUEUE_ROW = """
  <tr data-href="{url}" class="status-{status}">
    <td class="col-check"><input type="checkbox" name="ids" value="{pk}" form="bulk-form" aria-label="Select #{pk}"></td>
    <td class="ref">#{pk}</td>
    <td class="subject"><a href="{url}">{subject}</a></td>
    <td class="col-wide">{requester}{organization}</td>
    <td><span class="badge badge-{status}">{status_label}</span></td>
    <td><span class="prio prio-{priority}">{priority_label}</span></td>
    <td class="col-wide">{assignee}</td>
    <td class="col-wide">{team}</td>
    <td><time datetime="{updated_iso}" title="{updated_title}">{updated_ago}</time></td>
    <td class="col-wide">{sla}</td>
  </tr>
  """  # noqa: E501 - the row's markup, as the template had it
_NONE = mark_safe('<span class="muted">—</span>')  # noqa: S308 - a constant


@register.simple_tag
def queue_rows(rows) -> str:
    """The ``<tr>`` of every ticket on a queue page, built in Python in one call.

    A queue page shows up to 200 rows of ten cells; as a template loop that was ~25 variable
    lookups, filters and escapes per row, the largest cost of the page (see docs/benchmarks.md).
    Like the admin's ``result_list``, the cells are built with ``format_html`` (every value
    escaped). Dates are shown in the active time zone (``{% timezone %}`` around the table).
    """
    ticket_url = reverse("workspace:ticket", kwargs={"ticket_id": 0}).removesuffix("0/")
    parts = []
    for t in rows:
        updated = localtime(t.updated_at) if t.updated_at else None
        parts.append(
            format_html(
                _QUEUE_ROW,
                url=f"{ticket_url}{t.pk}/",
                status=t.status,
                pk=t.pk,
                subject=t.subject,
                requester=t.requester.name or t.requester.email,
                organization=format_html('<span class="muted"> · {}</span>', t.organization.name)
                if t.organization_id
                else "",
                status_label=t.get_status_display(),
                priority=t.priority,
                priority_label=t.get_priority_display(),
                assignee=(t.assignee.name or t.assignee.email) if t.assignee_id else _NONE,
                team=t.team.name if t.team_id else _NONE,
                updated_iso=dateformat.format(updated, "c") if updated else "",
                updated_title=dateformat.format(updated, "Y-m-d H:i T") if updated else "",
                updated_ago=ago(t.updated_at),
                sla=sla_badge(t),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part came from format_html
