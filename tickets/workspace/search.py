"""Ticket search: one box over reference, subject, message bodies, requester and organization.

PostgreSQL: full-text search over ``TicketSearchDocument.vector`` (stored, GIN-indexed), the most
recent matches ranked, with highlighted snippets. SQLite: a plain ``icontains`` over the
same fields, newest first. Both only narrow a queryset the caller already limited to what the
agent may see.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Left

from support import clock
from tickets.models import Message, Ticket, TicketSearchDocument
from tickets.workspace import fulltext

CONFIG = "english"
SNIPPET_SOURCE = 2000
REFERENCE_RE = re.compile(r"^#?(\d{1,12})$")
# Highlight markers that can't occur in typed text; the template shows what they enclose in <mark>.
MARK_START, MARK_END = "\u0002", "\u0003"


def snippet_parts(snippet: str | None) -> list[tuple[str, bool]]:
    """A snippet as ``(text, highlighted)`` pieces, in order: the template marks them up."""
    head, *marked = (snippet or "").split(MARK_START)
    parts = [(head, False)] if head else []
    for chunk in marked:
        hit, _, rest = chunk.partition(MARK_END)
        parts.append((hit, True))
        if rest:
            parts.append((rest, False))
    return parts


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def build_document(ticket: Ticket) -> str:
    """The text a ticket is found by. Internal notes count: only agents search."""
    parts = [
        f"#{ticket.pk}",
        str(ticket.pk),
        ticket.subject,
        ticket.requester.name,
        ticket.requester.email,
        ticket.organization.name if ticket.organization_id else "",
    ]
    parts.extend(ticket.messages.order_by("created_at").values_list("body_text", flat=True))
    return "\n".join(p for p in parts if p)


def document_rebuild(*, ticket_id: int) -> None:
    ticket = Ticket.objects.select_related("requester", "organization").filter(pk=ticket_id).first()
    if ticket is None:
        return
    text = build_document(ticket)
    values = {"document": text, "updated_at": clock.now()}
    if is_postgres():
        # Parsed once here, stored, and read by every search that ranks this ticket.
        values["vector"] = _pg_vector(Value(text))
    TicketSearchDocument.objects.update_or_create(ticket=ticket, defaults=values)


def documents_rebuild_all(*, batch: int = 500) -> int:
    count = 0
    for pk in Ticket.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=batch):
        document_rebuild(ticket_id=pk)
        count += 1
    return count


def _reference(text: str) -> int | None:
    match = REFERENCE_RE.match(text.strip())
    return int(match.group(1)) if match else None


def _fallback_q(text: str) -> Q:
    """Every word must appear in one of the fields (words may be in different fields)."""
    q = Q()
    for word in text.split()[:8]:
        q &= (
            Q(subject__icontains=word)
            | Q(requester__name__icontains=word)
            | Q(requester__email__icontains=word)
            | Q(organization__name__icontains=word)
            | Q(pk__in=Message.objects.filter(body_text__icontains=word).values("ticket_id"))
        )
    return q


def _pg_query(text: str):
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(text, config=CONFIG, search_type="websearch")


def _pg_vector(source):
    from django.contrib.postgres.search import SearchVector

    return SearchVector(source, config=CONFIG)


def filter_text(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Narrow ``tickets`` to those matching ``text`` (a reference like ``#42`` matches exactly)."""
    text = text.strip()
    if not text:
        return tickets
    ref = _reference(text)
    if is_postgres():
        # The stored vector, GIN-indexed: the planner walks the index for a rare word and the
        # caller's ordered index (checking each row's vector) for a common one. A ticket's own
        # document holds its reference, so "#42" finds ticket 42 without an OR that would stop
        # either plan.
        return tickets.filter(search_document__vector=_pg_query(text))
    match = _fallback_q(text)
    if ref is not None:
        match |= Q(pk=ref)
    return tickets.filter(match)


def _window_of(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    ids = fulltext.recent_matches(tickets, _pg_query(text))
    # The range too: with only ``id = ANY(…)`` the planner may scan the table for 500 ids.
    return tickets.model.objects.filter(pk__in=ids, pk__gte=ids[-1] if ids else 0)


def ranked(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Search results best first, with a ``snippet`` (PostgreSQL: highlighted with <mark>).

    "Best" is the highest rank among the most recent matches (``fulltext.recent_matches``: up to
    200 by ticket number, which follows creation): a word found in half of a million tickets
    then costs what a rare one does, and the newest tickets are the ones an agent is after when
    the words are that common. A ticket whose number is the text comes first. The snippet is
    made from the document's first ``SNIPPET_SOURCE`` characters (a pasted log of 50 kB would
    otherwise cost more than the search).
    """
    if not is_postgres():
        return (
            filter_text(tickets, text).annotate(snippet=F("subject")).order_by("-updated_at", "-id")
        )
    from django.contrib.postgres.search import SearchHeadline, SearchRank

    query = _pg_query(text)
    rank = SearchRank(F("search_document__vector"), query)
    ref = _reference(text)
    if ref is not None:
        rank = Case(When(pk=ref, then=Value(1.0e6)), default=rank, output_field=FloatField())
    return (
        _window_of(tickets, text)
        .annotate(
            rank=rank,
            # Computed for the rows shown only: PostgreSQL evaluates output columns after the
            # sort and limit.
            snippet=SearchHeadline(
                Coalesce(Left("search_document__document", SNIPPET_SOURCE), F("subject")),
                query,
                config=CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=30,
                min_words=12,
                max_fragments=2,
            ),
        )
        .order_by("-rank", "-updated_at", "-id")
    )
