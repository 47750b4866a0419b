"""Ticket search: one box over reference, subject, message bodies, requester and organization.

PostgreSQL: full-text search over ``TicketSearchDocument.document`` (GIN expression index, see
migration 0002_workspace), ranked, with highlighted snippets. SQLite: a plain ``icontains`` over the
same fields, newest first. Both only narrow a queryset the caller already limited to what the
agent may see.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from support import clock
from tickets.models import Message, Ticket, TicketSearchDocument

CONFIG = "english"
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
    TicketSearchDocument.objects.update_or_create(
        ticket=ticket, defaults={"document": build_document(ticket), "updated_at": clock.now()}
    )


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


def _pg_vector(field: str = "search_document__document"):
    from django.contrib.postgres.search import SearchVector

    # Must match the indexed expression: to_tsvector('english', COALESCE(document, '')).
    return SearchVector(field, config=CONFIG)


def filter_text(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Narrow ``tickets`` to those matching ``text`` (a reference like ``#42`` matches exactly)."""
    text = text.strip()
    if not text:
        return tickets
    ref = _reference(text)
    if is_postgres():
        query = _pg_query(text)
        doc_ids = TicketSearchDocument.objects.annotate(v=_pg_vector("document")).filter(v=query)
        match = Q(pk__in=doc_ids.values("ticket_id"))
    else:
        match = _fallback_q(text)
    if ref is not None:
        match |= Q(pk=ref)
    return tickets.filter(match)


def ranked(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Search results best first, with a ``snippet`` (PostgreSQL: highlighted with <mark>)."""
    tickets = filter_text(tickets, text)
    if not is_postgres():
        return tickets.annotate(snippet=F("subject")).order_by("-updated_at", "-id")
    from django.contrib.postgres.search import SearchHeadline, SearchRank

    query = _pg_query(text)
    return tickets.annotate(
        rank=SearchRank(_pg_vector(), query),
        snippet=SearchHeadline(
            Coalesce("search_document__document", F("subject")),
            query,
            config=CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            max_words=30,
            min_words=12,
            max_fragments=2,
        ),
    ).order_by("-rank", "-updated_at", "-id")
