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
  narrowed to what the caller may see, in one statement per slice. The slices go back from the
  newest ticket, the first ``FIRST_SLICE`` numbers wide and each next one ``SLICE_GROWTH`` times
  wider, until a page of visible results is found or every ticket was looked at: a rare word
  takes a few index lookups. A phrase is looked up as its words alone (which the index answers
  without reading any document) and its word positions are tested only on the candidates the
  caller may see, newest first, until the window is full.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorExact
from django.db import connection
from django.db.models import BooleanField, F, Max, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

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
# A quoted lexeme (kept as it is) or a phrase operator.
_PHRASE_OPERATOR_RE = re.compile(r"('(?:[^']|'')+')|<(?:-|\d+)>")
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
    return _share(_parsed(query)[0])


def _parsed(query: SearchQuery) -> tuple[str, str]:
    """The query as PostgreSQL parsed it (``'hello' & 'thank'``, ``'keep' <-> 'time' & !'out'``)
    and the part of it an index can answer, negated words left out (``querytree``)."""
    sql, params = _sql(query)
    with connection.cursor() as cursor:
        # Our SQL, the text bound as parameters.
        cursor.execute(f"SELECT querytree({sql}), ({sql})::text", [*params, *params])  # noqa: S608
        tree, full = cursor.fetchone()
    return tree or "", full or ""


def _sql(query: SearchQuery) -> tuple[str, list]:
    sql, params = query.as_sql(_compiler(), connection)
    return sql, list(params)


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
    if tickets.query.is_empty():
        return []
    newest = TicketSearchDocument.objects.aggregate(top=Max("ticket_id"))["top"]
    if newest is None:
        return []
    tree, full = _parsed(query)
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
    loose = _without_positions(tree)
    if not _LEXEME_RE.search(loose):
        loose = ""  # no word to look up ("-hello"): the query itself, through the whole index
    found: list[int] = []
    high, span = newest, FIRST_SLICE
    while high > 0 and len(found) < ENOUGH:
        low = max(high - span, 0)
        found += _slice_matches(
            tickets,
            query,
            loose=loose,
            check=bool(loose) and loose != full,
            low=low,
            high=high,
            limit=WINDOW - len(found),
        )
        high, span = low, span * SLICE_GROWTH
    return found


def _without_positions(tree: str) -> str:
    """``tree`` with each phrase operator (``<->``, ``<2>``) read as ``&``: every document
    holding the phrase holds all its words, and the GIN index answers that exactly, where a
    phrase makes PostgreSQL read each candidate's stored vector to check the words' positions
    (``querytree`` has left out negated words: nothing the query requires is lost)."""
    return _PHRASE_OPERATOR_RE.sub(lambda m: m.group(1) or "&", tree)


def _slice_matches(
    tickets: QuerySet[Ticket],
    query: SearchQuery,
    *,
    loose: str,
    check: bool,
    low: int,
    high: int,
    limit: int,
) -> list[int]:
    """Up to ``limit`` ids of ``tickets`` in ``(low, high]`` matching ``query``, newest first,
    in one statement. The candidates are the GIN index's matches of ``loose`` (``query``
    without its word positions, or ``query`` itself if empty) cut to the slice: a bitmap read
    once (``OFFSET 0`` keeps PostgreSQL from turning it into a lookup per ticket). The caller's
    visibility narrows them, and only then, if ``check``, is ``query`` tested on the stored
    vector of each visible candidate, newest first, until ``limit`` are found."""
    documents = TicketSearchDocument._meta.db_table
    filtered = tickets.query.has_filters()
    if not filtered:
        # Every ticket may be seen (an admin): every candidate is tested, and PostgreSQL tests
        # the phrase on each as it reads it from the table, cheaper than a lookup after.
        loose, check = "", False
    match_sql, match_params = ("%s::tsquery", [loose]) if loose else _sql(query)
    candidates = (
        f"SELECT ticket_id FROM {documents} WHERE vector @@ {match_sql} "  # noqa: S608
        "AND ticket_id > %s AND ticket_id <= %s"
    )
    candidate_params = [*match_params, low, high]
    if filtered:
        # The candidates as a list read once (``OFFSET 0``: never a lookup of each ticket's
        # document); PostgreSQL joins the slice's visible tickets to it as it judges cheapest.
        visible_sql, visible_params = (
            tickets.filter(
                pk__gt=low,
                pk__lte=high,
                pk__in=RawSQL(f"{candidates} OFFSET 0", candidate_params),  # noqa: S611
            )
            .order_by("-pk")
            .values_list("pk", flat=True)
            .query.sql_with_params()
        )
    else:
        visible_sql = f"SELECT ticket_id AS pk FROM ({candidates}) c ORDER BY ticket_id DESC"  # noqa: S608
        visible_params = candidate_params
    check_sql, check_params = _sql(query) if check else ("TRUE", [])
    if check:
        vector_test = f"SELECT d.vector @@ {check_sql} FROM {documents} d"  # noqa: S608
        check_sql = f"({vector_test} WHERE d.ticket_id = v.pk)"
    # The visible candidates are sorted in their own subquery (``OFFSET 0``: not merged into
    # this one), so the phrase test runs on them one by one, newest first, up to the limit.
    sql = (
        f"SELECT v.pk FROM ({visible_sql} OFFSET 0) v WHERE {check_sql} "  # noqa: S608
        "ORDER BY v.pk DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*visible_params, *check_params, limit])
        return [pk for (pk,) in cursor.fetchall()]
