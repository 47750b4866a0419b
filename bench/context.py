"""Who and what the scenarios act on, found (or made) in whatever data set is loaded."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db.models import Count
from django.utils.module_loading import import_string

from accounts.models import Role, Team, User
from customers.models import Customer
from tickets.events import suppressed
from tickets.models import OPEN_STATUSES, Ticket

BENCH_AGENT = "bench-agent@bench.example"
BENCH_ADMIN = "bench-admin@bench.example"
BENCH_CUSTOMER = "bench-customer@bench.example"


class Context:
    """Built once per run. Bench users are created on first use and reused after."""

    def __init__(self) -> None:
        self._sessions: dict[int, str] = {}
        self._tickets: dict[int, int] = {}

    @cached_property
    def team(self) -> Team:
        """The team with the most open tickets: the busiest queue."""
        busiest = (
            Team.objects.annotate(open=Count("tickets", filter=_open_filter()))
            .order_by("-open", "pk")
            .first()
        )
        return busiest or Team.objects.create(name="Bench team")

    @cached_property
    def agent(self) -> User:
        agent = _user(BENCH_AGENT, Role.AGENT, "Bench Agent")
        self.team.members.add(agent)
        return agent

    @cached_property
    def admin(self) -> User:
        admin = _user(BENCH_ADMIN, Role.ADMIN, "Bench Admin")
        if not admin.superuser:  # Django's /admin/ is for superusers only
            admin.superuser = True
            admin.save(update_fields=["superuser"])
        return admin

    @cached_property
    def customer(self) -> Customer:
        customer = (
            Customer.objects.filter(organization__isnull=False).order_by("pk").first()
            or Customer.objects.get_or_create(email=BENCH_CUSTOMER, defaults={"name": "Bench"})[0]
        )
        return customer

    def ticket_with_messages(self, n: int) -> int:
        """The id of a ticket of the bench team with exactly ``n`` messages (made if need be)."""
        if n in self._tickets:
            return self._tickets[n]
        found = (
            Ticket.objects.filter(team=self.team)
            .annotate(n=Count("messages"))
            .filter(n=n)
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            found = self._make_ticket(n)
        self._tickets[n] = found
        return found

    def _make_ticket(self, n: int) -> int:
        from tickets.services import ticket_create, ticket_note, ticket_reply

        with suppressed():
            ticket = ticket_create(
                requester=self.customer,
                subject=f"Benchmark conversation of {n} messages",
                body="The first message.",
                by=self.customer,
                team=self.team,
            )
            for i in range(1, n):
                if i % 3 == 0:
                    ticket_note(ticket=ticket, body=f"Internal note {i}.", by=self.agent)
                else:
                    author = self.agent if i % 2 else self.customer
                    ticket_reply(ticket=ticket, body=f"Message {i}.\n\nMore text.", by=author)
        return ticket.pk

    RARE_WORD = "quixotically"

    @cached_property
    def rare_word(self) -> str:
        """A word found in one ticket only: the bench team's, made (and indexed) on first use."""
        from tickets.models import TicketSearchDocument
        from tickets.services import ticket_create
        from tickets.workspace.search import document_rebuild

        word = self.RARE_WORD
        if not TicketSearchDocument.objects.filter(document__contains=word).exists():
            with suppressed():
                ticket = ticket_create(
                    requester=self.customer,
                    subject=f"Export {word} truncated",
                    body=f"The export was {word} cut short at row 1000.",
                    by=self.customer,
                    team=self.team,
                )
            document_rebuild(ticket_id=ticket.pk)
        return word

    def session_cookie(self, user: User) -> str:
        """A session key signing ``user`` in, for requests over real HTTP."""
        if user.pk not in self._sessions:
            from django.conf import settings

            store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.save()
            self._sessions[user.pk] = store.session_key
        return self._sessions[user.pk]

    @cached_property
    def agent_token(self) -> str:
        """A raw API token of the bench agent (a new one per run: raw tokens are never stored)."""
        from accounts.tokens import api_token_create

        return api_token_create(user=self.agent, name="bench")[1]

    @cached_property
    def portal_user(self) -> User:
        """The portal login of the customer with the most tickets (made if need be)."""
        from portal.services import portal_account_ensure

        top = (
            Ticket.objects.values("requester_id")
            .annotate(n=Count("id"))
            .order_by("-n", "requester_id")
            .values_list("requester_id", flat=True)
            .first()
        )
        customer = Customer.objects.get(pk=top) if top else self.customer
        user = portal_account_ensure(email=customer.email, name=customer.name)
        if user is None:  # an agent's address: use the bench customer instead
            user = portal_account_ensure(email=BENCH_CUSTOMER, name="Bench")
        return user

    def sla_clocks(self, n: int) -> list[int]:
        """Ids of ``n`` (at most) running resolution clocks on open tickets, due in the future:
        made like ``manage.py sla_benchmark`` does, under an inactive "Benchmark" policy, for open
        tickets without a clock, and borrowed from open tickets' running clocks for the rest."""
        if getattr(self, "_sla_clocks", None) is not None:
            return self._sla_clocks
        from datetime import timedelta

        from support import clock
        from tickets.services import ticket_keys_backfill
        from tickets.sla.models import BusinessCalendar, SlaPolicy, SlaTarget, TargetKind, TicketSla

        now = clock.now()
        calendar, _ = BusinessCalendar.objects.get_or_create(
            name="Benchmark 24/7", defaults={"always_open": True, "hours": {}}
        )
        policy, _ = SlaPolicy.objects.get_or_create(
            name="Benchmark",
            defaults={"calendar": calendar, "resolution_minutes": 600, "is_active": False},
        )
        ids = list(
            Ticket.objects.filter(status__in=OPEN_STATUSES, sla__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:n]
        )
        TicketSla.objects.bulk_create(
            [TicketSla(ticket_id=pk, policy=policy, policy_name=policy.name) for pk in ids]
        )
        SlaTarget.objects.bulk_create(
            [
                SlaTarget(
                    ticket_id=pk,
                    kind=TargetKind.RESOLUTION,
                    state="running",
                    target_minutes=600,
                    started_at=now,
                    due_at=now + timedelta(hours=10),
                    warn_at=now + timedelta(hours=7, minutes=30),
                )
                for pk in ids
            ],
            batch_size=5000,
        )
        ticket_keys_backfill()  # bulk_create skips the model's save(), which copies them
        made = list(
            SlaTarget.objects.filter(
                kind=TargetKind.RESOLUTION, ticket__sla__policy=policy
            ).values_list("pk", flat=True)[:n]
        )
        # A data set whose open tickets all have SLA clocks already (seed_scale writes them):
        # borrow running resolution clocks of open tickets, made not due (the scenarios' UPDATE
        # makes them due again on every run).
        borrowed = list(
            SlaTarget.objects.filter(
                kind=TargetKind.RESOLUTION,
                state="running",
                ticket__status__in=OPEN_STATUSES,
            )
            .exclude(pk__in=made)
            .order_by("pk")
            .values_list("pk", flat=True)[: max(0, n - len(made))]
        )
        SlaTarget.objects.filter(pk__in=borrowed).update(
            breached_at=None,
            warned_at=None,
            due_at=now + timedelta(hours=10),
            warn_at=now + timedelta(hours=7, minutes=30),
        )
        self._sla_clocks = made + borrowed
        return self._sla_clocks

    @cached_property
    def mail_corpus(self) -> list[bytes]:
        """The standard library's email test messages (``test.test_email``'s data)."""
        from pathlib import Path

        try:
            import test.test_email as stdlib_tests
        except ImportError as exc:
            raise RuntimeError("Python's test.test_email data is not installed") from exc
        paths = sorted((Path(stdlib_tests.__file__).parent / "data").glob("msg_*.txt"))
        return [p.read_bytes() for p in paths]


def _open_filter():
    from django.db.models import Q

    return Q(tickets__status__in=OPEN_STATUSES)


def _user(email: str, role: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password=None, role=role, name=name)
    return user
