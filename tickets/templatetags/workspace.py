"""``{% load workspace %}``: what dense agent pages need, cheap per row.

- ``{{ value|ago }}``: compact time labels, "5m ago", "3h ago", "2d ago", "in 4h".
- ``{% options choices selected %}``: a long ``<option>`` list in one call.
- ``{% queue_rows rows %}``: a queue page's table rows in one call.
- ``{% timeline_items timeline %}``: a ticket's messages and changes in one call.
"""

from __future__ import annotations

import html
from datetime import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import reverse
from django.utils.safestring import SafeData, mark_safe
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


def _e(value) -> str:
    """``django.utils.html.escape`` without its lazy-string wrapper (same output: both are the
    standard library's ``html.escape``); values already marked safe pass unchanged."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


@register.simple_tag
def options(choices, selected=None) -> str:
    """``<option>`` elements for ``(value, label)`` pairs, built in one call.

    ``{% options agents ticket.assignee_id %}``: long lists (every agent, every team) in a
    template loop cost a variable lookup, a filter and an escape per option on every page view.
    ``selected`` is one value or a list of them, compared as strings (query-string values are).
    """
    if selected is None or selected == "":
        wanted: set[str] = set()
    elif isinstance(selected, list | tuple | set | frozenset):
        wanted = {str(v) for v in selected}
    else:
        wanted = {str(selected)}
    return mark_safe(  # noqa: S308 - every value and label is escaped
        "".join(
            f'<option value="{_e(value)}"{" selected" if str(value) in wanted else ""}>'
            f"{_e(label)}</option>"
            for value, label in choices
        )
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
_NONE = '<span class="muted">—</span>'


@register.simple_tag
def queue_rows(rows) -> str:
    """The ``<tr>`` of every ticket on a queue page, built in Python in one call.

    A queue page shows up to 200 rows of ten cells; as a template loop that was ~25 variable
    lookups, filters and escapes per row, the largest cost of the page (see docs/benchmarks.md).
    Like the admin's ``result_list``, the cells are built in Python, every value escaped. Dates are
    shown in the active time zone (``{% timezone %}`` around the table).
    """
    ticket_url = reverse("workspace:ticket", kwargs={"ticket_id": 0}).removesuffix("0/")
    parts = []
    for t in rows:
        updated = localtime(t.updated_at) if t.updated_at else None
        organization = (
            f'<span class="muted"> · {_e(t.organization.name)}</span>' if t.organization_id else ""
        )
        parts.append(
            _QUEUE_ROW.format(
                url=_e(f"{ticket_url}{t.pk}/"),
                status=_e(t.status),
                pk=t.pk,
                subject=_e(t.subject),
                requester=_e(t.requester.name or t.requester.email),
                organization=organization,
                status_label=_e(t.get_status_display()),
                priority=_e(t.priority),
                priority_label=_e(t.get_priority_display()),
                assignee=_e(t.assignee.name or t.assignee.email) if t.assignee_id else _NONE,
                team=_e(t.team.name) if t.team_id else _NONE,
                # What the date filter's "c" and "Y-m-d H:i T" give, without its parser.
                updated_iso=_e(updated.isoformat()) if updated else "",
                updated_title=_e(f"{updated:%Y-%m-%d %H:%M} {updated.tzname() or ''}".rstrip())
                if updated
                else "",
                updated_ago=_e(ago(t.updated_at)),
                sla=_e(sla_badge(t)),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def _time(value: datetime) -> str:
    """``<time>`` with what ``|date:'c'``, ``|date:'Y-m-d H:i T'`` and ``|naturaltime`` give."""
    local = localtime(value)
    title = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()
    return (
        f'<time class="muted" datetime="{_e(local.isoformat())}" title="{_e(title)}">'
        f"{_e(naturaltime(value))}</time>"
    )


def _message_html(m, csrf: str) -> str:
    if m.is_note:
        css = "msg-note"
    elif m.author_customer_id:
        css = "msg-customer"
    else:
        css = "msg-agent"
    if m.author_user_id:
        author = m.author_user.display_name
    elif m.author_customer_id:
        author = m.author_customer.display_name
    else:
        author = "Switchboard"
    mails = "".join(
        f'<a class="muted" href="{_e(reverse("mail:inbound_original", args=[mail.pk]))}">'
        "view original mail</a>"
        for mail in m.listed_inbound_emails
    )
    review = ""
    if m.needs_review:
        url = _e(reverse("mail:reviewed", args=[m.pk]))
        review = (
            f'<span class="mail-needs-review" id="review-{m.pk}">From someone outside this '
            f'ticket ·\n        <form class="inline" method="post" action="{url}" '
            f'hx-post="{url}" hx-target="#review-{m.pk}" hx-swap="innerHTML">{csrf}'
            '<button class="link" type="submit">Mark reviewed</button></form></span>'
        )
    body = str(m.body_html) if m.body_html else linebreaksbr(m.body_text, autoescape=True)
    attachments = ""
    if m.listed_attachments:
        items = []
        for a in m.listed_attachments:
            url = _e(reverse("workspace:attachment", kwargs={"attachment_id": a.pk}))
            image = (
                f'<a href="{url}"><img src="{url}" alt="{_e(a.name)}" loading="lazy"></a>'
                if a.is_image
                else ""
            )
            items.append(
                f'\n      <li>{image}\n        <a href="{url}?download=1" download>'
                f'{_e(a.name)}</a> <span class="muted">{_e(filesizeformat(a.size))}</span>'
                "</li>\n      "
            )
        attachments = f'\n    <ul class="attachments">\n      {"".join(items)}\n    </ul>\n    '
    note = '<span class="tag-note">Internal note</span>' if m.is_note else ""
    return (
        f'\n  <li class="msg {css}" id="m{m.pk}">\n    <header>\n'
        f"      <strong>{_e(author)}</strong>\n      {note}\n      {_time(m.created_at)}\n"
        f'      <span class="muted">via {_e(m.get_channel_display())}</span>\n'
        f"      {mails}\n      {review}\n    </header>\n"
        f'    <div class="msg-body">{body}</div>\n    {attachments}\n  </li>\n  '
    )


@register.simple_tag(takes_context=True)
def timeline_items(context, entries) -> str:
    """The ``<li>`` of every message and change on a ticket's timeline, in one call.

    As a template loop this was ~30 variable lookups and filters per message, the largest part of
    rendering a ticket page. Every value is escaped; ``body_html`` was sanitized when it was
    stored (``tickets.sanitize``) and is shown as the template showed it (``|safe``).
    """
    token = context.get("csrf_token")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(token)}">'
        if token and token != "NOTPROVIDED"  # noqa: S105 - Django's marker, not a secret
        else ""
    )
    parts = []
    for entry in entries:
        if entry.message:
            block = _message_html(entry.message, csrf)
        else:
            sentence = _e(entry.sentence)
            block = f'\n  <li class="event"><span>{sentence}</span> {_time(entry.at)}</li>\n  '
        parts.append(f"\n  {block}\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped; body_html sanitized
