"""CSAT surveys and product-feedback links for the scale data set, for the reports to read.

Derived from the loaded tickets with one ``INSERT … SELECT`` each (no per-row Python): a survey
for about three solved tickets in four (sent an hour after solving; about 40 % answered, one
answer in eight bad), and a link to one of 40 feedback items for one ticket in fifty. Only tickets
without a survey / link get one, so it can run again after a top-up. Ratings and picks come from a
hash of the ticket id: the same ids give the same data.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bench.pgcopy import LoadStats
from feedback.models import CsatSurvey, FeedbackItem, TicketFeedbackLink
from tickets.models import Ticket

ITEMS = 40
# A multiplicative hash of the id, 0–999: spreads the choices without random().
HASH = "((t.id * 2654435761) %% 1000)"

SURVEYS = f"""
INSERT INTO {CsatSurvey._meta.db_table} (ticket_id, customer_id, token, due_at, sent_at, rating,
    comment, answered_at, updated_at, created_at)
SELECT t.id, t.requester_id, 'scale-' || t.id, t.solved_at + interval '1 hour',
       t.solved_at + interval '1 hour',
       CASE WHEN {HASH} < 350 THEN 'good' WHEN {HASH} < 400 THEN 'bad' ELSE '' END, '',
       CASE WHEN {HASH} < 400 THEN t.solved_at + interval '5 hours' END, NULL, t.solved_at
  FROM {Ticket._meta.db_table} t
 WHERE t.solved_at IS NOT NULL AND {HASH} < 750
   AND NOT EXISTS (SELECT 1 FROM {CsatSurvey._meta.db_table} s WHERE s.ticket_id = t.id)
"""  # noqa: S608 - table names from our models

LINKS = f"""
INSERT INTO {TicketFeedbackLink._meta.db_table} (ticket_id, item_id, customer_id,
    organization_id, importance, quote, created_at)
SELECT t.id, (%s::bigint[])[1 + t.id %% %s], t.requester_id, t.organization_id, '', '',
       t.created_at + interval '2 hours'
  FROM {Ticket._meta.db_table} t
 WHERE t.id %% 50 = 0
   AND NOT EXISTS (SELECT 1 FROM {TicketFeedbackLink._meta.db_table} l WHERE l.ticket_id = t.id)
"""  # noqa: S608 - table names from our models


def load_feedback(cursor, *, stats: LoadStats, log: Callable[[str], None] = print) -> None:
    t0 = time.perf_counter()
    items = [
        FeedbackItem.objects.get_or_create(title=f"Scale data set item {i + 1}")[0].pk
        for i in range(ITEMS)
    ]
    cursor.execute(SURVEYS, [])
    stats.add(CsatSurvey._meta.db_table, cursor.rowcount)
    cursor.execute(LINKS, [items, len(items)])
    stats.add(TicketFeedbackLink._meta.db_table, cursor.rowcount)
    stats.seconds["feedback"] = time.perf_counter() - t0
    log(f"Wrote CSAT surveys and feedback links in {stats.seconds['feedback']:.1f}s.")
