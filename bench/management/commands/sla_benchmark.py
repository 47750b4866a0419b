"""Measure the SLA sweep at scale (PostgreSQL; run against a scratch database, never production).

    DATABASE_URL=postgres://…/sb_bench python manage.py migrate
    DATABASE_URL=postgres://…/sb_bench python manage.py sla_benchmark --tickets 1000000

Bulk-inserts tickets and their clocks (not through services: this measures the sweep, not ticket
creation), then reports (1) the database time of a sweep with nothing due and (2) the wall time
to process ``--due`` clocks that have just come due (``--notify``: each breach also queues an
escalation mail, to a watcher on the benchmark policy). Events and mail are published to the
broker as in production (give it a Redis database of its own; no worker needs to run).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import User
from customers.models import Customer
from support import clock
from tickets.mail.models import OutboundEmail
from tickets.models import Status, Ticket, ticket_keys_of
from tickets.sla.models import BusinessCalendar, SlaPolicy, SlaTarget, TargetKind, TicketSla
from tickets.sla.sweep import sla_sweep


class Command(BaseCommand):
    help = "Benchmark the SLA sweep on a scratch PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--open", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=10_000)
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument(
            "--notify", action="store_true", help="Every breach also queues an escalation mail."
        )

    def handle(self, *args, tickets: int, open: int, due: int, batch: int, notify: bool, **options):  # noqa: A002
        if connection.vendor != "postgresql":
            raise CommandError("Run the benchmark on PostgreSQL (DATABASE_URL).")
        now = clock.now()
        self._populate(tickets=tickets, open_count=open, batch=batch, now=now)
        watcher, _ = User.objects.get_or_create(
            email="bench-sla-watcher@example.com", defaults={"role": "agent"}
        )
        SlaPolicy.objects.get(name="Benchmark").notify.set([watcher] if notify else [])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_slatarget")
            cursor.execute("ANALYZE tickets_ticket")

        timings = []
        for _ in range(5):
            timings.append(self._db_time(lambda: sla_sweep(now=now)))
        self.stdout.write(
            f"sweep, nothing due: {min(timings) * 1000:.1f} ms DB time (best of 5), "
            f"queries: {len(connection.queries) if connection.queries_logged else 'n/a'}"
        )

        # Make `due` running clocks come due a minute ago, then sweep them.
        ids = list(
            SlaTarget.objects.filter(
                kind=TargetKind.RESOLUTION, state="running", breached_at__isnull=True
            )
            .order_by("id")
            .values_list("id", flat=True)[:due]
        )
        SlaTarget.objects.filter(id__in=ids).update(
            due_at=now - timedelta(minutes=1), warn_at=now - timedelta(minutes=10)
        )
        mails_before = OutboundEmail.objects.count()
        result: dict[str, int] = {}
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.monotonic()
        with connection.execute_wrapper(count):
            db_time = self._db_time(lambda: result.update(sla_sweep(now=now, time_budget=600)))
        elapsed = time.monotonic() - started
        mails = OutboundEmail.objects.count() - mails_before
        self.stdout.write(
            f"sweep, {len(ids)} newly due: {result}, {mails} mails queued, in {elapsed:.2f} s "
            f"wall time ({db_time:.2f} s in {queries} queries; "
            f"{elapsed / max(len(ids), 1) * 1000:.2f} ms per clock)"
        )

    def _db_time(self, fn) -> float:
        spent = 0.0

        def timer(execute, sql, params, many, context):
            nonlocal spent
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent += time.perf_counter() - t

        with connection.execute_wrapper(timer):
            fn()
        return spent

    def _populate(self, *, tickets: int, open_count: int, batch: int, now) -> None:
        existing = Ticket.objects.count()
        if existing >= tickets:
            self.stdout.write(f"{existing} tickets present; not adding more.")
            return
        calendar, _ = BusinessCalendar.objects.get_or_create(
            name="Benchmark 24/7", defaults={"always_open": True, "hours": {}}
        )
        policy, _ = SlaPolicy.objects.get_or_create(
            name="Benchmark",
            defaults={"calendar": calendar, "resolution_minutes": 600},
        )
        requester, _ = Customer.objects.get_or_create(
            email="bench@example.com", defaults={"name": "Bench"}
        )
        made = 0
        started = time.monotonic()
        while made < tickets - existing:
            size = min(batch, tickets - existing - made)
            with transaction.atomic():
                rows = []
                for i in range(size):
                    is_open = made + i < open_count
                    created = now - timedelta(minutes=30) if is_open else now - timedelta(days=30)
                    rows.append(
                        Ticket(
                            subject="Benchmark ticket",
                            requester=requester,
                            status=Status.OPEN if is_open else Status.CLOSED,
                            closed_at=None if is_open else created + timedelta(days=1),
                            solved_at=None if is_open else created + timedelta(days=1),
                            created_at=created,
                            updated_at=created,
                            resolution_due_at=created + timedelta(hours=10) if is_open else None,
                        )
                    )
                created_tickets = Ticket.objects.bulk_create(rows)
                TicketSla.objects.bulk_create(
                    TicketSla(ticket=t, policy=policy, policy_name=policy.name)
                    for t in created_tickets
                )
                SlaTarget.objects.bulk_create(
                    SlaTarget(
                        ticket=t,
                        kind=TargetKind.RESOLUTION,
                        state="running" if t.status == Status.OPEN else "met",
                        target_minutes=600,
                        started_at=t.created_at,
                        due_at=t.created_at + timedelta(hours=10),
                        warn_at=t.created_at + timedelta(hours=7, minutes=30),
                        warned_at=None if t.status == Status.OPEN else t.created_at,
                        met_at=t.solved_at,
                        **ticket_keys_of(t),
                    )
                    for t in created_tickets
                )
            made += size
            self.stdout.write(f"  {existing + made} tickets ({time.monotonic() - started:.0f} s)")
