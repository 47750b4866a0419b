"""The most recent tickets matching a full-text query, at a cost that does not grow with the
number of matches (PostgreSQL).

Two ways to find them, chosen per query from PostgreSQL's own statistics of the stored vectors
(``pg_stats.most_common_elems``, read once every few minutes per process):

- **A common query** (estimated in at least ``COMMON`` of all documents): walk the tickets newest
  first by primary key — with the caller's visibility filter — and test each one's stored vector.
  Half of all tickets hold "hello": 200 matches are found within the newest few hundred
  tickets, whatever the table's size. The test is a scalar subquery, which PostgreSQL runs per
  row as written: it cannot turn it into a join that would read every match from the GIN index
  first (which is what costs seconds for a common word).
- **Any other query** (and any phrase, whose words may each be common while the phrase is
  rare): the GIN index's matches among the documents of a slice of the newest ticket numbers,
  then the caller's visibility on those ids. The slices go back from the newest ticket, the
  first ``FIRST_SLICE`` numbers wide and each next one ``SLICE_GROWTH`` times wider, until a
  page of visible results is found or every ticket was looked at: a rare word takes a few index
  lookups.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorExact
from django.db import connection
from django.db.models import BooleanField, F, Max, OuterRef, QuerySet, Subquery

from tickets.models import Ticket, TicketSearchDocument

# How many of the most recent matches are ranked.
WINDOW = 200
# Fewer matches than this in a slice: look at a wider one.
ENOUGH = 50
FIRST_SLICE = 20_000
SLICE_GROWTH = 8
# A query estimated in this share of documents or more is walked newest first.
COMMON = 0.05
STATS_SECONDS = 600

_LEXEME_RE = re.compile(r"(!?)'((?:[^']|'')+)'")
_stats: dict[str, Any] = {"at": -STATS_SECONDS, "freqs": {}, "floor": 0.0}


def _lexeme_frequencies() -> tuple[dict[str, float], float]:
    """Share of documents holding each of the most common lexemes, and a bound for the rest."""
    if time.monotonic() - _stats["at"] < STATS_SECONDS:
        return _stats["freqs"], _stats["floor"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = 'vector'",
            [TicketSearchDocument._meta.db_table],
        )
        row = cursor.fetchone()
    freqs: dict[str, float] = {}
    floor = 0.0
    if row and row[0] and row[1]:
        elems, numbers = row
        freqs = dict(zip(elems, numbers[: len(elems)], strict=False))
        floor = numbers[len(elems)]  # the least frequency kept: every other lexeme is rarer
    _stats.update(at=time.monotonic(), freqs=freqs, floor=floor)
    return freqs, floor


def estimated_share(query: SearchQuery) -> float:
    """Estimated share of documents matching ``query``: the product of its words' shares (its
    ``OR``s as a sum), negated words left out. One query for the parse; statistics cached."""
    return _share(_tree(query))


def _tree(query: SearchQuery) -> str:
    """The query as PostgreSQL parsed it, e.g. ``'hello' & 'thank'`` or ``'keep' <-> 'time'``."""
    sql, params = query.as_sql(_compiler(), connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT querytree({sql})", params)  # noqa: S608 - our SQL, params bound
        (tree,) = cursor.fetchone()
    return tree or ""


def _share(tree: str) -> float:
    freqs, floor = _lexeme_frequencies()
    total = 0.0
    for branch in tree.split(" | "):
        share = 1.0
        words = [w.replace("''", "'") for neg, w in _LEXEME_RE.findall(branch) if not neg]
        if not words:
            continue
        for word in words:
            share *= freqs.get(word, floor / 2)
        total += share
    return min(total, 1.0)


def _compiler():
    return Ticket.objects.all().query.get_compiler(connection=connection)


def recent_matches(tickets: QuerySet[Ticket], query: SearchQuery) -> list[int]:
    """Ids of up to ``WINDOW`` of ``tickets`` matching ``query``, newest first (see above)."""
    newest = TicketSearchDocument.objects.aggregate(top=Max("ticket_id"))["top"]
    if newest is None:
        return []
    tree = _tree(query)
    # A phrase ("<->", "<2>") is checked against each candidate's word positions: never walked
    # row by row, however common its words.
    if _share(tree) >= COMMON and "<" not in tree:
        matched = Subquery(
            TicketSearchDocument.objects.filter(ticket_id=OuterRef("pk"))
            .annotate(hit=SearchVectorExact(F("vector"), query))
            .values("hit")[:1],
            output_field=BooleanField(),
        )
        return list(
            tickets.alias(matched=matched)
            .filter(matched=True)
            .order_by("-pk")
            .values_list("pk", flat=True)[:WINDOW]
        )
    found: list[int] = []
    high, span = newest, FIRST_SLICE
    while high > 0 and len(found) < ENOUGH:
        low = max(high - span, 0)
        # The documents alone first, unordered: PostgreSQL then reads the GIN index's matches
        # cut to the slice (a bitmap), never the slice row by row; the caller's visibility is
        # applied to those ids after.
        candidates = sorted(
            TicketSearchDocument.objects.filter(
                vector=query, ticket_id__gt=low, ticket_id__lte=high
            ).values_list("ticket_id", flat=True),
            reverse=True,
        )
        if candidates:
            found += list(
                tickets.filter(pk__in=candidates)
                .order_by("-pk")
                .values_list("pk", flat=True)[: WINDOW - len(found)]
            )
        high, span = low, span * SLICE_GROWTH
    return found
