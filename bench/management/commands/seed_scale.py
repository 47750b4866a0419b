"""Load the scale data set (PostgreSQL only): ``manage.py seed_scale --tickets 1000000``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bench.dataset import Sizes, copy_ticket_keys, load, timedelta_text
from bench.feedback_dataset import load_feedback
from bench.pgcopy import LoadStats
from bench.sla_dataset import load_sla
from feedback.models import CsatSurvey, TicketFeedbackLink
from tickets.models import Ticket
from tickets.sla.models import SlaTarget, TicketSla


class Command(BaseCommand):
    help = (
        "Bulk-load a realistic data set with PostgreSQL COPY: organizations, customers, agents in "
        "teams, tags, and --tickets tickets with ~3 messages each, their events and tags. Adds to "
        "whatever is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int)
        parser.add_argument("--organizations", type=int, default=5_000)
        parser.add_argument("--customers", type=int, default=50_000)
        parser.add_argument("--agents", type=int, default=200)
        parser.add_argument("--teams", type=int, default=20)
        parser.add_argument("--batch", type=int, default=25_000, help="tickets per COPY round")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="load with the indexes in place (slower; for small top-ups of a big data set)",
        )
        parser.add_argument(
            "--derived-only",
            action="store_true",
            help=(
                "only add what is derived from loaded tickets that lack it (SLA clocks, CSAT "
                "surveys, feedback links): for a set loaded before the seed made them"
            ),
        )

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_scale needs PostgreSQL (it loads with COPY); this database is "
                f"{connection.vendor}. Set DATABASE_URL=postgres://… and run migrate first."
            )
        if opts["derived_only"]:
            self._derived_only()
            return
        if opts["tickets"] is None:
            raise CommandError("Say how many tickets to load: --tickets N.")
        sizes = Sizes(
            tickets=opts["tickets"],
            organizations=opts["organizations"],
            customers=opts["customers"],
            agents=opts["agents"],
            teams=opts["teams"],
            batch=opts["batch"],
        )
        if min(sizes.organizations, sizes.customers, sizes.agents, sizes.teams) < 1:
            raise CommandError("Organizations, customers, agents and teams must be at least 1.")
        if sizes.tickets < 0:
            raise CommandError("--tickets can't be negative.")
        stats = load(
            sizes=sizes,
            seed=opts["seed"],
            log=self.stdout.write,
            drop_indexes=not opts["keep_indexes"],
        )
        for table, rows in stats.rows.items():
            self.stdout.write(
                f"  {table:<32} {rows:>12,} rows  {stats.seconds.get(table, 0):7.1f}s"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Loaded in {timedelta_text(stats.seconds['total'])}.")
        )

    def _derived_only(self) -> None:
        stats = LoadStats()
        with transaction.atomic():
            load_sla(stats=stats, log=self.stdout.write)
            with connection.cursor() as cursor:
                load_feedback(cursor, stats=stats, log=self.stdout.write)
            copy_ticket_keys(stats=stats, log=self.stdout.write)
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # as load()
        with connection.cursor() as cursor:
            for model in (TicketSla, SlaTarget, Ticket, CsatSurvey, TicketFeedbackLink):
                cursor.execute(f"{command} {model._meta.db_table}")
        for table, rows in stats.rows.items():
            self.stdout.write(f"  {table:<32} {rows:>12,} rows")
