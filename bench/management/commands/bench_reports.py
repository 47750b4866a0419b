"""Time the reports on a large synthetic data set (PostgreSQL only).

    DATABASE_URL=postgres://…/sb_bench manage.py bench_reports --fill 1000000
    DATABASE_URL=postgres://…/sb_bench manage.py bench_reports

``--fill`` inserts tickets (spread over two years), tags, CSAT surveys and feedback links with
plain SQL into an otherwise empty database; without it the command only measures.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import Role, Team, User
from customers.models import Customer, Organization
from feedback.models import FeedbackItem
from reports.filters import ReportFilter
from reports.views import build_report
from support import clock
from tickets.models import Tag, Ticket
from tickets.services import ticket_keys_backfill

FILL_TICKETS = """
INSERT INTO tickets_ticket (subject, status, priority, type, channel, created_at, updated_at,
    first_responded_at, solved_at, closed_at, assignee_id, organization_id, requester_id, team_id)
SELECT 'Bench ticket ' || g,
    CASE WHEN r < 0.6 THEN 'closed' WHEN r < 0.85 THEN 'solved' WHEN r < 0.93 THEN 'open'
         ELSE 'pending' END,
    'normal', 'question', (ARRAY['web','email','portal','api'])[1 + g %% 4],
    c, c,
    CASE WHEN r < 0.97 THEN c + make_interval(mins => ((g * 7919) %% 2000 + 1)::int) END,
    CASE WHEN r < 0.85 THEN c + make_interval(mins => (60 + (g * 104729) %% 10000)::int) END,
    CASE WHEN r < 0.6 THEN c + make_interval(mins => (60 + (g * 104729) %% 10000)::int)
         + interval '4 days' END,
    (%(agents)s::bigint[])[1 + g %% %(n_agents)s],
    (%(orgs)s::bigint[])[1 + g %% %(n_orgs)s],
    (%(customers)s::bigint[])[1 + g %% %(n_customers)s],
    (%(teams)s::bigint[])[1 + g %% %(n_teams)s]
FROM (SELECT g::bigint AS g, random() AS r, now() - random() * interval '730 days' AS c
      FROM generate_series(1, %(n)s) AS g) AS s
"""

FILL_TAGS = """
INSERT INTO tickets_ticket_tags (ticket_id, tag_id)
SELECT id, (%(tags)s::bigint[])[1 + id %% %(n_tags)s] FROM tickets_ticket WHERE id %% 3 = 0
"""

FILL_CSAT = """
INSERT INTO feedback_csatsurvey (ticket_id, customer_id, token, due_at, sent_at, rating, comment,
    answered_at, updated_at, created_at)
SELECT id, requester_id, 'bench' || id, solved_at + interval '1 hour',
    solved_at + interval '1 hour',
    CASE WHEN id %% 2 = 0 THEN (CASE WHEN id %% 10 = 0 THEN 'bad' ELSE 'good' END) ELSE '' END,
    '', CASE WHEN id %% 2 = 0 THEN solved_at + interval '5 hours' END, NULL, solved_at
FROM tickets_ticket WHERE solved_at IS NOT NULL AND id %% 4 <> 1
"""

FILL_LINKS = """
INSERT INTO feedback_ticketfeedbacklink (ticket_id, item_id, customer_id, organization_id,
    importance, quote, created_at)
SELECT id, (%(items)s::bigint[])[1 + id %% %(n_items)s], requester_id, organization_id, '', '',
    created_at + interval '2 hours'
FROM tickets_ticket WHERE id %% 50 = 0
"""


class Command(BaseCommand):
    help = "Time the reports dashboard on PostgreSQL, optionally after filling synthetic data."

    def add_arguments(self, parser):
        parser.add_argument("--fill", type=int, default=0, help="insert this many tickets first")
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, fill: int, days: int, runs: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (set DATABASE_URL).")
        if fill:
            self._fill(fill)
        self.stdout.write(f"{Ticket.objects.count():,} tickets")
        today = clock.now().date()
        cases = {
            "all tickets": {},
            "one team": {"team_id": Team.objects.order_by("pk").first().pk},
            "one organization": {"organization_id": Organization.objects.order_by("pk").first().pk},
        }
        for label, extra in cases.items():
            f = ReportFilter(
                start=today - timedelta(days=days - 1), end=today, tz=ZoneInfo("UTC"), **extra
            )
            build_report(f)  # warm the cache
            timings = []
            for _ in range(runs):
                t0 = time.perf_counter()
                build_report(f)
                timings.append(time.perf_counter() - t0)
            self.stdout.write(
                f"{days}-day report, {label}: median {statistics.median(timings) * 1000:.0f} ms, "
                f"max {max(timings) * 1000:.0f} ms over {runs} runs"
            )

    def _fill(self, n: int) -> None:
        if Ticket.objects.exists():
            raise CommandError("--fill wants an empty database.")
        teams = [Team.objects.get_or_create(name=f"Bench team {i}")[0] for i in range(3)]
        agents = []
        for i in range(8):
            agent, _ = User.objects.get_or_create(
                email=f"bench-agent{i}@example.com", defaults={"role": Role.AGENT}
            )
            teams[i % 3].members.add(agent)
            agents.append(agent)
        orgs = [Organization.objects.get_or_create(name=f"Bench org {i}")[0] for i in range(30)]
        customers = [
            Customer.objects.get_or_create(
                email=f"bench{i}@example.net", defaults={"organization": orgs[i % 30]}
            )[0]
            for i in range(300)
        ]
        tags = [Tag.objects.get_or_create(name=f"bench-{i}")[0] for i in range(8)]
        items = [FeedbackItem.objects.get_or_create(title=f"Bench item {i}")[0] for i in range(20)]

        def ids(objs):
            return [o.pk for o in objs]

        params = {
            "n": n,
            "agents": ids(agents),
            "n_agents": len(agents),
            "orgs": ids(orgs),
            "n_orgs": len(orgs),
            "customers": ids(customers),
            "n_customers": len(customers),
            "teams": ids(teams),
            "n_teams": len(teams),
            "tags": ids(tags),
            "n_tags": len(tags),
            "items": ids(items),
            "n_items": len(items),
        }
        with connection.cursor() as cursor:
            for label, sql in [
                ("tickets", FILL_TICKETS),
                ("tags", FILL_TAGS),
                ("csat", FILL_CSAT),
                ("links", FILL_LINKS),
            ]:
                t0 = time.perf_counter()
                cursor.execute(sql, params)
                self.stdout.write(f"filled {label} in {time.perf_counter() - t0:.1f} s")
            # The surveys written by SQL lack the copy of their ticket's report keys (agent,
            # team, organization, channel, product, version, component: ``TicketKeyed``).
            t0 = time.perf_counter()
            filled = ticket_keys_backfill()
            self.stdout.write(
                f"copied the report keys onto {filled} rows in {time.perf_counter() - t0:.1f} s"
            )
            cursor.execute("ANALYZE")
