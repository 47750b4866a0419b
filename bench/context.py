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
        return _user(BENCH_ADMIN, Role.ADMIN, "Bench Admin")

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


def _open_filter():
    from django.db.models import Q

    return Q(tickets__status__in=OPEN_STATUSES)


def _user(email: str, role: str, name: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, password=None, role=role, name=name)
    return user
