"""How far a reply travels: the project's files one reply passes through on each way in.

A reply from the agent's form, over the API and by mail must each reach the same public service
(``tickets.services.messages``) and pass through few files on the way. The trace records every
Python call whose code lives in the project (tests, templates and migrations left out) from the
request — or the stored message — to the end of the change's transaction, and the test holds each
path to a budget so that a refactoring that makes a path longer fails here, by name.

The reply traced is the second of the process, on a ticket like the first: what a running server
does for every reply. The first one also imports modules, builds the middleware and loads the
per-process caches (the workflow rules, the product catalog) — once per process or per change of
those tables, not steps of a reply — and how much of that is left depends on which tests ran
before.

Print the paths with ``pytest tests/support/test_reply_paths.py -s`` (docs/architecture.md has
the figures before and after the restructure).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories
from tests.tickets.mail.conftest import build_mail

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SKIP = ("tests/", "migrations/", ".venv/")
# Django calls the database router before every query when a replica is configured, and the
# metrics' execute wrapper around every query (support/prom.py): settings and instrumentation,
# not steps of the reply.
NOT_STEPS = {"support/db_router.py", "support/prom.py"}


@dataclass
class Route:
    files: list[str]  # in the order first entered
    moves: int  # calls from one file into another
    back: int  # of those, into a file the reply had already left

    def __str__(self) -> str:
        return f"{len(self.files)} files, {self.moves} moves, {self.back} back: " + " → ".join(
            self.files
        )


def trace(action) -> Route:
    """Run ``action`` and return the route through the project's files."""
    seq: list[str] = []
    root = str(ROOT) + "/"
    cache: dict[str, str | None] = {}

    def name_of(filename: str) -> str | None:
        if filename not in cache:
            rel = filename[len(root) :] if filename.startswith(root) else None
            if rel is None or rel.startswith(SKIP) or not rel.endswith(".py") or rel in NOT_STEPS:
                cache[filename] = None
            else:
                cache[filename] = rel
        return cache[filename]

    def profile(frame, event, arg):
        if event != "call":
            return
        rel = name_of(frame.f_code.co_filename)
        if rel is not None and (not seq or seq[-1] != rel):
            seq.append(rel)

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    seen: set[str] = set()
    order: list[str] = []
    back = 0
    for i, rel in enumerate(seq):
        if rel in seen and i > 0:
            back += 1
        if rel not in seen:
            order.append(rel)
        seen.add(rel)
    return Route(files=order, moves=max(len(seq) - 1, 0), back=back)


SERVICE = "tickets/services/messages.py"


@pytest.fixture
def tickets(team):
    """An agent and two new tickets of their team: the first takes the warm-up reply."""
    agent = factories.AgentFactory(teams=[team])
    return agent, factories.TicketFactory(team=team), factories.TicketFactory(team=team)


def test_a_reply_from_the_form(client, tickets):
    agent, first, ticket = tickets
    client.force_login(agent)

    def send(to):
        url = reverse("workspace:ticket_send", args=[to.pk])
        response = client.post(url, {"kind": "reply", "body": "Try turning it off and on."})
        assert response.status_code == 302, response.content[:500]

    send(first)
    route = trace(lambda: send(ticket))
    print("\nform:", route)
    assert SERVICE in route.files
    assert len(route.files) <= 25, route
    assert route.back <= 24, route


def test_a_reply_over_the_api(api, tickets):
    agent, first, ticket = tickets
    client = api(agent)

    def send(to):
        url = f"/api/v1/tickets/{to.pk}/messages"
        response = client.post(url, {"body": "Over the API."}, format="json")
        assert response.status_code == 201, response.content[:500]

    send(first)
    route = trace(lambda: send(ticket))
    print("\napi:", route)
    assert SERVICE in route.files
    assert len(route.files) <= 31, route
    assert route.back <= 37, route


def test_a_reply_by_mail(settings, tickets):
    from tickets.mail.inbound import inbound_process, inbound_store

    settings.INBOUND_EMAIL_SECRET = "s3cret-for-tests"
    _, first, ticket = tickets

    def stored(to) -> int:
        raw = build_mail(
            sender=f"{to.requester.name} <{to.requester.email}>",
            subject=f"Re: {to.subject} [#{to.pk}]",
            body="It works again, thanks.",
        )
        return inbound_store(raw=raw)[0].pk

    def process(inbound_id: int, to) -> None:
        processed = inbound_process(inbound_id=inbound_id)
        assert processed is not None and processed.ticket_id == to.pk, processed
        assert processed.message is not None, processed.error

    process(stored(first), first)
    inbound_id = stored(ticket)
    route = trace(lambda: process(inbound_id, ticket))
    print("\nmail:", route)
    assert SERVICE in route.files
    assert len(route.files) <= 24, route
    # The loop check asks the branding, the teams' and the products' addresses once for the
    # sender and once for each address the mail copies in (cache reads, 8 moves back).
    assert route.back <= 39, route
