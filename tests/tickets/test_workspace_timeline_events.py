"""The timeline's changes read as sentences for people: every kind of ticket event, in the
agent's time zone, never an internal name (snake_case kinds, field names), an id or a raw ISO
timestamp; consecutive changes collapse into one line; the conversation filter's markup."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tickets.models import EventKind, TicketEvent
from tickets.workspace.presentation import event_sentence, timeline, when_label

# Friday 4 December 2026, 10:00 UTC: "Tue" below is 8 December.
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)  # 14:00 in Berlin

UNDERSCORE_NAME = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}:\d{2}\.\d+")


def _samples(ticket, agent, other, customer) -> list[dict]:
    """One event of each kind, shaped as the code that writes it shapes it (the services, the
    SLA sweep, triggers, routing, auto-assignment, the satisfaction survey)."""
    trigger = {"kind": "trigger", "id": 7, "name": "VIP"}
    return [
        {"kind": EventKind.CREATED, "actor": agent},
        {"kind": EventKind.REPLIED, "actor": agent},
        {"kind": EventKind.NOTE_ADDED, "actor": agent},
        {
            "kind": EventKind.STATUS_CHANGED,
            "actor": agent,
            "field": "status",
            "old": "on_hold",
            "new": "open",
        },
        {
            "kind": EventKind.PRIORITY_CHANGED,
            "field": "priority",
            "old": "normal",
            "new": "high",
            "data": {"rule": trigger},
        },
        {
            "kind": EventKind.SLA_POLICY_SET,
            "field": "SLA policy",
            "old": "Standard",
            "new": "Gold",
            "data": {"rule": trigger},
        },
        {
            "kind": EventKind.TYPE_CHANGED,
            "actor": agent,
            "field": "type",
            "old": "question",
            "new": "incident",
        },
        {
            "kind": EventKind.SUBJECT_CHANGED,
            "actor": agent,
            "field": "subject",
            "old": "Help",
            "new": "Refund for order 1042",
        },
        {
            "kind": EventKind.ASSIGNEE_CHANGED,
            "actor": agent,
            "field": "assignee",
            "old": "",
            "new": other.display_name,
        },
        {
            "kind": EventKind.ASSIGNEE_CHANGED,
            "field": "assignee",
            "new": other.display_name,
            "data": {"rule": {"kind": "assignment", "id": 3, "name": "Round robin (Billing)"}},
        },
        {
            "kind": EventKind.TEAM_CHANGED,
            "field": "team",
            "new": "Billing",
            "data": {"rule": {"kind": "routing_default", "id": 2, "name": "Default team"}},
        },
        {
            "kind": EventKind.TEAM_CHANGED,
            "field": "team",
            "old": "Billing",
            "new": "Support",
            "data": {"rule": {"kind": "routing_rule", "id": 4, "name": "Refunds"}},
        },
        # Issue 17: a ticket's product, version and component (tickets.services.changes).
        {
            "kind": EventKind.PRODUCT_CHANGED,
            "actor": agent,
            "field": "product",
            "new": "Acme Cloud",
            "data": {"old_id": None, "new_id": 3},
        },
        {
            "kind": EventKind.VERSION_CHANGED,
            "actor": agent,
            "field": "version",
            "old": "4.1",
            "new": "4.2",
            "data": {"old_id": 5, "new_id": 6},
        },
        {
            "kind": EventKind.FIELD_CHANGED,
            "actor": agent,
            "field": "browser",
            "old": "Firefox",
            "new": "Chrome",
            "data": {"label": "Browser", "old": "firefox", "new": "chrome"},
        },
        {
            "kind": EventKind.COMPONENT_CHANGED,
            "field": "component",
            "old": "Exports",
            "data": {"old_id": 9, "new_id": None, "rule": trigger},
        },
        {"kind": EventKind.TAG_ADDED, "actor": agent, "field": "tags", "new": "vip"},
        {"kind": EventKind.TAG_REMOVED, "actor": agent, "field": "tags", "old": "vip"},
        {
            "kind": EventKind.TAG_ADDED,
            "actor": agent,
            "field": "tags",
            "new": "refund",
            "data": {"via": {"kind": "macro", "id": 9, "name": "Refund"}},
        },
        {
            "kind": EventKind.FOLLOWER_ADDED,
            "actor": agent,
            "field": "followers",
            "new": other.display_name,
        },
        {
            "kind": EventKind.FOLLOWER_REMOVED,
            "actor": agent,
            "field": "followers",
            "old": other.display_name,
        },
        {
            "kind": EventKind.REQUESTER_CHANGED,
            "actor": agent,
            "field": "requester",
            "old": "ann@example.net",
            "new": "ann@example.org",
        },
        {"kind": EventKind.CC_ADDED, "actor": agent, "field": "cc", "new": "bob@example.org"},
        {"kind": EventKind.CC_REMOVED, "actor": agent, "field": "cc", "old": "bob@example.org"},
        {
            "kind": EventKind.FORWARDED,
            "actor": agent,
            "field": "forward",
            "new": "vendor@example.com",
            "data": {"forwarded": 1, "to": ["vendor@example.com"], "comment": ""},
        },
        {
            "kind": EventKind.SLA_WARNING,
            "field": "first_response",
            "old": f"due {DUE.isoformat()}",
            "new": f"warning at {(DUE - timedelta(hours=1, microseconds=5)).isoformat()}",
            "data": {"clock": 11, "notify": [agent.pk]},
        },
        {
            "kind": EventKind.SLA_BREACHED,
            "field": "resolution",
            "old": f"due {DUE.isoformat()}",
            "new": f"breach at {DUE.isoformat()}",
            "data": {"clock": 12, "notify": []},
        },
        {
            "kind": EventKind.SLA_BREACHED,
            "field": "next_reply",
            "old": f"due {(DUE + timedelta(days=30)).isoformat()}",
            "new": f"breach at {(DUE + timedelta(days=30)).isoformat()}",
            "data": {"clock": 13, "notify": []},
        },
        {
            "kind": EventKind.CSAT_RATED,
            "customer": customer,
            "field": "rating",
            "old": "",
            "new": "good",
        },
        {
            "kind": EventKind.CSAT_COMMENTED,
            "customer": customer,
            "field": "comment",
            "new": "Quick and kind",
        },
        {
            "kind": EventKind.TRIGGER_WEBHOOK,
            "data": {"subscription": 5, "trigger": 7, "rule": trigger},
        },
        {
            "kind": EventKind.RULE_FAILED,
            "new": "division by zero in set_priority",
            "data": {"failed": trigger},
        },
    ]


def _make(ticket, sample) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=sample["kind"],
        actor=sample.get("actor"),
        actor_customer=sample.get("customer"),
        field=sample.get("field", ""),
        old=sample.get("old", ""),
        new=sample.get("new", ""),
        data=sample.get("data"),
        at=NOW - timedelta(minutes=5),
    )


class _Text(HTMLParser):
    """What a person reads: text nodes and hover titles (not machine attributes like datetime)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts += [value for name, value in attrs if name in ("title", "aria-label") and value]

    def handle_data(self, data):
        self.parts.append(data)


def _readable(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def berlin_agent(agent):
    agent.name = "Sam Okafor"
    agent.time_zone = "Europe/Berlin"
    agent.save()
    return agent


@pytest.fixture
def every_event(ticket, berlin_agent):
    other = factories.AgentFactory(name="Dana Reyes")
    customer = ticket.requester
    samples = _samples(ticket, berlin_agent, other, customer)
    assert {s["kind"] for s in samples} == set(EventKind.values), (
        "a new EventKind needs a sample here and a sentence in presentation.event_sentence"
    )
    return [_make(ticket, s) for s in samples]


def test_every_event_kind_reads_as_a_sentence_without_internal_names(every_event):
    zone = datetime.now(UTC).astimezone().tzinfo
    with clock.travel(NOW):
        for event in every_event:
            sentence = event_sentence(event, zone)
            assert sentence and sentence[0].isupper(), (event.kind, sentence)
            assert not UNDERSCORE_NAME.search(sentence), (event.kind, sentence)
            assert not ISO_STAMP.search(sentence), (event.kind, sentence)
            assert f"#{event.pk}" not in sentence


def test_the_ticket_page_shows_every_kind_readably_in_the_agents_zone(
    client, berlin_agent, ticket, every_event
):
    client.force_login(berlin_agent)
    with clock.travel(NOW):
        page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    start, end = page.index('<ol class="timeline">'), page.index("</ol>", page.index("event-group"))
    shown = _readable(page[start:end])
    recent = _readable(
        page[page.index("events-brief") : page.index("</ul>", page.index("events-brief"))]
    )
    for text in (shown, recent):
        assert not UNDERSCORE_NAME.search(text), UNDERSCORE_NAME.findall(text)
        assert not ISO_STAMP.search(text), ISO_STAMP.findall(text)
    for sentence in (
        "SLA at risk: first response due Tue 14:00",
        "SLA breached: resolution (was due Tue 14:00)",
        "SLA breached: next reply (was due 7 Jan 2027 14:00)",
        "Sam Okafor assigned this to Dana Reyes",
        "Trigger “VIP” changed priority from Normal to High",
        "Auto-assignment “Round robin (Billing)” assigned this to Dana Reyes",
        "Routing (default team) moved this to Billing",
        "Routing rule “Refunds” moved this to Support (was Billing)",
        "Sam Okafor changed status from On hold to Open",
        "Sam Okafor changed type from Question to Incident",
        "Sam Okafor renamed this from “Help” to “Refund for order 1042”",
        "Sam Okafor added the tag “vip”",
        "Sam Okafor (macro “Refund”) added the tag “refund”",
        "Sam Okafor added Dana Reyes as a follower",
        f"{ticket.requester.display_name} rated the ticket Good",
        "Trigger “VIP” sent a webhook",
        "Trigger “VIP” failed and was skipped",
    ):
        assert sentence in shown, sentence
    # Relative (Django's naturaltime, against the real clock), the exact time in Berlin on hover.
    assert re.search(r"\bago\b", shown) and "10:55 CET" in shown


def test_when_label_says_the_day_near_and_the_date_far():
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    with clock.travel(NOW):
        assert when_label(DUE, berlin) == "Tue 14:00"
        assert when_label(NOW + timedelta(hours=2), berlin) == "today 13:00"
        assert when_label(NOW - timedelta(days=20), berlin) == "14 Nov 11:00"
        assert when_label(NOW + timedelta(days=40), berlin) == "13 Jan 2027 11:00"


def test_consecutive_changes_collapse_into_one_line_with_the_people(ticket, agent):
    other = factories.AgentFactory(name="Dana Reyes")
    messages = list(ticket.messages.all())
    first = messages[0].created_at
    events = [
        TicketEvent(
            ticket=ticket,
            kind=EventKind.TAG_ADDED,
            actor=agent,
            new="a",
            at=first + timedelta(minutes=n),
        )
        for n in range(1, 4)
    ] + [
        TicketEvent(
            ticket=ticket,
            kind=EventKind.PRIORITY_CHANGED,
            actor=other,
            field="priority",
            old="low",
            new="high",
            at=first + timedelta(minutes=5),
        )
    ]
    later = factories.MessageFactory(ticket=ticket, created_at=first + timedelta(minutes=10))
    single = TicketEvent(
        ticket=ticket,
        kind=EventKind.TAG_ADDED,
        actor=agent,
        new="b",
        at=first + timedelta(minutes=11),
    )
    entries = timeline([*messages, later], [*events, single])
    assert [bool(e.message) for e in entries] == [True, False, True, False]
    group = entries[1]
    assert len(group.group) == 4
    assert group.summary == f"4 changes by {agent.display_name} and Dana Reyes"
    assert entries[3].event is single and not entries[3].group


def test_the_page_has_the_filter_and_a_collapsed_group(client, agent, ticket):
    from tickets import services

    services.ticket_update(
        ticket=ticket, by=agent, changes={"priority": "high", "type": "incident", "tags_add": ["x"]}
    )
    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert 'data-timeline-filter="conversation"' in page
    assert f'data-timeline-filter-key="timeline-filter:{agent.pk}"' in page
    assert "<details open><summary><span>3 changes by" in page


def test_a_macros_changes_name_the_agent_and_the_macro(agent, ticket):
    from tickets.macros import services as macros

    macro = macros.macro_save(
        agent=agent, title="Refund", actions={"priority": "high", "tags_add": ["refund"]}
    )
    macros.macro_apply(ticket=ticket, macro=macro, by=agent)
    event = ticket.events.get(kind=EventKind.PRIORITY_CHANGED)
    assert event.actor == agent
    assert event.data == {"via": {"kind": "macro", "id": macro.pk, "name": "Refund"}}
    assert event_sentence(event) == (
        f"{agent.display_name} (macro “Refund”) changed priority from Normal to High"
    )
