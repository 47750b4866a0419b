"""A queue or saved view as CSV: every ticket it lists (the same filters, custom fields too),
newest activity first, with each ticket field as a column as it reads now ("Chrome", not
"chrome"). Streamed in chunks from one query, so a large export holds no list in memory and
the number of queries doesn't grow with the rows."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from accounts.decorators import agent_required
from support import clock
from tickets.fields import services as custom_fields
from tickets.fields.cache import ticket_fields
from tickets.workspace import queues

MAX_ROWS = 100_000  # an export is for a spreadsheet; a larger one is the API's job
COLUMNS = [
    "id",
    "subject",
    "status",
    "priority",
    "type",
    "channel",
    "requester",
    "organization",
    "team",
    "assignee",
    "product",
    "version",
    "component",
    "form",
    "created_at",
    "updated_at",
    "solved_at",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value: object) -> object:
    # A cell starting with = + - @ runs as a formula in spreadsheets (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _when(moment) -> str:
    return moment.isoformat() if moment else ""


def export_rows(tickets) -> Iterator[list]:
    """The header and one row per ticket of ``tickets``."""
    fields = list(ticket_fields.get().values())
    yield [*COLUMNS, *(f.label for f in fields)]
    rows = (
        tickets.select_related(
            "requester",
            "organization",
            "team",
            "assignee",
            "product",
            "version",
            "component",
            "form",
        )
        .order_by("-updated_at", "-id")[:MAX_ROWS]
        .iterator(chunk_size=2000)
    )
    for t in rows:
        values = t.fields or {}
        yield [
            t.pk,
            t.subject,
            t.status,
            t.priority,
            t.type,
            t.channel,
            t.requester.email,
            t.organization.name if t.organization_id else "",
            t.team.name if t.team_id else "",
            t.assignee.display_name if t.assignee_id else "",
            t.product.name if t.product_id else "",
            t.version.name if t.version_id else "",
            t.component.name if t.component_id else "",
            t.form.name if t.form_id else "",
            _when(t.created_at),
            _when(t.updated_at),
            _when(t.solved_at),
            *(custom_fields.display(f, values.get(f.key)) for f in fields),
        ]


def _respond(tickets, name: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    body = (writer.writerow([_safe(v) for v in row]) for row in export_rows(tickets))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = clock.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="tickets-{name}-{stamp}.csv"'
    return response


@agent_required
@require_GET
def queue_export(request: HttpRequest, view: str) -> StreamingHttpResponse:
    builtin = queues.BUILTIN_BY_SLUG.get(view)
    if builtin is None:
        raise Http404("No such view.")
    params = queues.merged_params(builtin.params, request.GET)
    return _respond(queues.queue_tickets(params, user=request.user), view)


@agent_required
@require_GET
def saved_view_export(request: HttpRequest, view_id: int) -> StreamingHttpResponse:
    saved = queues.saved_views_for(request.user).filter(pk=view_id).first()
    if saved is None:
        raise Http404("No such view.")
    params = queues.merged_params(saved.filters, request.GET)
    return _respond(queues.queue_tickets(params, user=request.user), f"view-{saved.pk}")
