"""How far a reply travels: the project's files one reply passes through on each way in.

A reply from the agent's form, over the API and by mail must each reach the same public service
(``tickets.services.messages``) and pass through few files on the way. The trace records every
Python call whose code lives in the project (tests, templates and migrations left out) from the
request — or the stored message — to the end of the change's transaction, and the test holds each
path to a budget so that a refactoring that makes a path longer fails here, by name.

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
def reply_setup(team):
    agent = factories.AgentFactory(teams=[team])
    ticket = factories.TicketFactory(team=team)
    return agent, ticket


def test_a_reply_from_the_form(client, reply_setup):
    agent, ticket = reply_setup
    client.force_login(agent)
    url = reverse("workspace:ticket_send", args=[ticket.pk])

    def send():
        response = client.post(url, {"kind": "reply", "body": "Try turning it off and on."})
        assert response.status_code == 302, response.content[:500]

    route = trace(send)
    print("\nform:", route)
    assert SERVICE in route.files
    assert len(route.files) <= 27, route
    assert route.back <= 29, route


def test_a_reply_over_the_api(api, reply_setup):
    agent, ticket = reply_setup
    client = api(agent)

    def send():
        response = client.post(
            f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Over the API."}, format="json"
        )
        assert response.status_code == 201, response.content[:500]

    route = trace(send)
    print("\napi:", route)
    assert SERVICE in route.files
    assert len(route.files) <= 32, route
    assert route.back <= 42, route


def test_a_reply_by_mail(settings, reply_setup):
    from tickets.mail.inbound import inbound_process, inbound_store

    settings.INBOUND_EMAIL_SECRET = "s3cret-for-tests"
    _, ticket = reply_setup
    raw = build_mail(
        sender=f"{ticket.requester.name} <{ticket.requester.email}>",
        subject=f"Re: {ticket.subject} [#{ticket.pk}]",
        body="It works again, thanks.",
    )
    row, _ = inbound_store(raw=raw)

    def process():
        processed = inbound_process(inbound_id=row.pk)
        assert processed is not None and processed.ticket_id == ticket.pk, processed
        assert processed.message is not None, processed.error

    route = trace(process)
    print("\nmail:", route)
    assert SERVICE in route.files
    # 27 alone, 28 after other tests of the module: the loop check asks the branding
    # (accounts/branding.py, issue 18) whether the sender is our own branded address.
    assert len(route.files) <= 28, route
    # Each address the loop check looks at asks the branding again (a cache read, 2 moves).
    assert route.back <= 41, route
