"""Full-text search at any number of matches (PostgreSQL): the two ways of finding the most
recent matches agree, the choice between them follows PostgreSQL's statistics, and the stored
vectors follow the conversation."""

from __future__ import annotations

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection

from tests import factories
from tickets import services
from tickets.models import Ticket, TicketSearchDocument
from tickets.workspace import fulltext, queues

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def q(text: str) -> SearchQuery:
    return SearchQuery(text, config="english", search_type="websearch")


@pytest.fixture
def desk(team, agent, django_capture_on_commit_callbacks):
    """40 tickets of the agent's team (every other one greets), 10 of another team."""
    other = factories.TeamFactory()
    made = {"mine": [], "other": []}
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(50):
            mine = i % 5 != 0
            body = ("Hello, " if i % 2 == 0 else "Dear team, ") + f"the export number {i} fails."
            if i == 7:
                body += " Also the keyboard is sticky."
            ticket = services.ticket_create(
                requester=factories.CustomerFactory(),
                subject=f"Export {i}",
                body=body,
                team=team if mine else other,
            )
            made["mine" if mine else "other"].append(ticket.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TicketSearchDocument._meta.db_table}")
    fulltext._stats["at"] = -fulltext.STATS_SECONDS  # read the new statistics
    return made


def _both_ways(monkeypatch, tickets, query) -> tuple[list[int], list[int]]:
    monkeypatch.setattr(fulltext, "COMMON", 0.0)  # every query walked newest first
    walked = fulltext.recent_matches(tickets, query)
    monkeypatch.setattr(fulltext, "COMMON", 2.0)  # every query through the GIN index
    monkeypatch.setattr(fulltext, "FIRST_SLICE", 3)  # in slices: 3, 6, 12, …
    monkeypatch.setattr(fulltext, "SLICE_GROWTH", 2)
    monkeypatch.setattr(fulltext, "ENOUGH", 1000)  # never stop early: compare whole sets
    sliced = fulltext.recent_matches(tickets, query)
    return walked, sliced


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "export",
        "keyboard sticky",
        '"export number"',
        '"export number" -keyboard',
        '"number 7" or greeting',
        '"sticky keyboard"',  # both words in one ticket, not as this phrase
        "nope",
    ],
)
def test_walk_and_slices_find_the_same_visible_tickets_newest_first(monkeypatch, desk, agent, text):
    tickets = queues.visible_tickets(agent)
    walked, sliced = _both_ways(monkeypatch, tickets, q(text))
    assert walked == sliced
    assert walked == sorted(walked, reverse=True)
    assert set(walked) <= set(desk["mine"])  # never another team's ticket
    expected = set(tickets.filter(search_document__vector=q(text)).values_list("pk", flat=True))
    assert set(walked) == expected


@pytest.mark.parametrize("text", ['"export number"', '"number 7" -keyboard', "keyboard"])
def test_a_phrase_for_someone_who_sees_every_ticket(monkeypatch, desk, admin_user, text):
    """An admin's candidates are not narrowed by visibility: the phrase is tested as they are
    read, with the same result."""
    monkeypatch.setattr(fulltext, "FIRST_SLICE", 3)
    monkeypatch.setattr(fulltext, "ENOUGH", 1000)
    tickets = queues.visible_tickets(admin_user)
    found = fulltext.recent_matches(tickets, q(text))
    expected = tickets.filter(search_document__vector=q(text)).values_list("pk", flat=True)
    assert found == sorted(expected, reverse=True)


def test_nobody_sees_nothing_found(desk, agent):
    agent.is_active = False
    assert fulltext.recent_matches(queues.visible_tickets(agent), q('"export number"')) == []


def test_the_window_holds_the_newest_matches(monkeypatch, desk, agent):
    monkeypatch.setattr(fulltext, "WINDOW", 5)
    tickets = queues.visible_tickets(agent)
    walked, sliced = _both_ways(monkeypatch, tickets, q("export"))
    assert walked == sliced == sorted(desk["mine"], reverse=True)[:5]


def test_a_slice_with_a_page_of_matches_is_enough(monkeypatch, desk, admin_user):
    monkeypatch.setattr(fulltext, "COMMON", 2.0)
    monkeypatch.setattr(fulltext, "FIRST_SLICE", 10)
    monkeypatch.setattr(fulltext, "ENOUGH", 3)
    found = fulltext.recent_matches(queues.visible_tickets(admin_user), q("export"))
    newest = max(desk["mine"] + desk["other"])
    assert found == list(range(newest, newest - 10, -1))  # the first slice, all of it


def test_the_way_follows_the_statistics(desk):
    greeting = fulltext.estimated_share(q("hello"))
    assert 0.3 < greeting < 0.7  # in half of the documents
    assert fulltext.estimated_share(q("export")) > 0.9
    assert fulltext.estimated_share(q("keyboard")) < fulltext.COMMON
    assert fulltext.estimated_share(q("zyzzogeton")) < fulltext.COMMON
    both = fulltext.estimated_share(q("hello export"))
    assert both == pytest.approx(greeting * fulltext.estimated_share(q("export")))
    assert fulltext.estimated_share(q("hello or keyboard")) > greeting
    assert fulltext.estimated_share(q("-hello")) == 0.0  # nothing positive to find


def test_the_stored_vector_follows_the_conversation(
    desk, agent, django_capture_on_commit_callbacks
):
    ticket_id = desk["mine"][0]
    ticket = Ticket.objects.get(pk=ticket_id)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, body="Try the quarantine folder.", by=agent)
    hits = TicketSearchDocument.objects.filter(vector=q("quarantine")).values_list(
        "ticket_id", flat=True
    )
    assert list(hits) == [ticket_id]


def test_the_page_ranks_the_window_and_puts_the_reference_first(client, agent, desk):
    client.force_login(agent)
    target = desk["mine"][3]
    response = client.get("/agent/search/", {"q": f"#{target}"})
    assert [t.pk for t in response.context["results"]][:1] == [target]
    response = client.get("/agent/search/", {"q": "keyboard sticky"})
    assert [t.pk for t in response.context["results"]] == [desk["mine"][5]]  # ticket i == 7
    assert any(hit for _, hit in response.context["results"][0].snippet_parts)
