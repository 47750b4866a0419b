"""Compiled rules (``tickets.automation.compiled``): the same answers as the interpreter, an index
that never hides a trigger that could fire, and the tags and latest message read in one query."""

import datetime as dt
import itertools

import pytest

from support import clock
from tests import factories
from tickets import services
from tickets.automation.cache import active_rules
from tickets.automation.compiled import TriggerIndex, compile_conditions, gate
from tickets.automation.engine import run_triggers
from tickets.automation.evaluate import Facts, conditions_hold
from tickets.automation.models import Trigger
from tickets.events import Change
from tickets.models import EventKind, TicketEvent

pytestmark = pytest.mark.django_db


def c(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


@pytest.fixture
def ticket(team, customer):
    customer.email = "Ana@VIP.example"
    customer.save()
    ticket = factories.TicketFactory(
        requester=customer, team=team, priority="high", subject="Refund for order 7"
    )
    ticket.tags.add(factories.TagFactory(name="vip"))
    factories.MessageFactory(ticket=ticket, body_text="Please REFUND me")
    return ticket


def conditions(team, other_team, agent, calendar):
    """Every field with each operator it takes, with a value that holds and one that doesn't
    for the ticket above (or for some of the changes below)."""
    return [
        c("event", "is", "created"),
        c("event", "is", "updated"),
        c("event", "is_not", "created"),
        c("status", "is", "open"),
        c("status", "is_not", "new"),
        c("status", "greater_than", "new"),
        c("status", "less_than", "solved"),
        c("status", "changed"),
        c("status", "changed_to", "solved"),
        c("status", "changed_from", "new"),
        c("priority", "is", "HIGH "),
        c("priority", "is", "low"),
        c("priority", "greater_than", "normal"),
        c("priority", "less_than", "high"),
        c("priority", "changed"),
        c("priority", "changed_to", "high"),
        c("priority", "changed_from", "normal"),
        c("priority", "changed_from", "low"),
        c("type", "is", "question"),
        c("type", "changed"),
        c("channel", "is", "email"),
        c("channel", "is_not", "web"),
        c("team", "is", team.pk),
        c("team", "is_not", other_team.pk),
        c("team", "changed"),
        c("team", "changed_to", team.pk),
        c("team", "changed_from", other_team.pk),
        c("team", "changed_from", team.pk),
        c("assignee", "is", None),
        c("assignee", "is", agent.pk),
        c("assignee", "changed_from", agent.pk),
        c("organization", "is", None),
        c("tags", "contains", "VIP"),
        c("tags", "not_contains", "vip"),
        c("tags", "contains", "other"),
        c("tags", "changed"),
        c("requester", "is", "ana@vip.example"),
        c("requester", "contains", "VIP"),
        c("requester", "not_contains", "ana"),
        c("requester_domain", "is", "vip.example"),
        c("mail_to", "is", ""),
        c("mail_to", "contains", "help"),
        c("subject", "is", "refund for order 7"),
        c("subject", "contains", "ORDER"),
        c("subject", "not_contains", "invoice"),
        c("subject", "changed"),
        c("message", "contains", "refund"),
        c("message", "not_contains", "refund"),
        c("actor", "is", "agent"),
        c("actor", "is", "customer"),
        c("actor", "is_not", "system"),
        c("business_hours", "is", calendar.pk),
        c("business_hours", "is_not", calendar.pk),
    ]


def changes(ticket, agent, customer, other_team):
    """The kinds of change a trigger meets: none, a new ticket, field changes by an agent."""

    def event(kind, field="", old="", new="", **kw):
        return TicketEvent(ticket=ticket, kind=kind, field=field, old=old, new=new, **kw)

    return {
        "nothing": [],
        "created": [event(EventKind.CREATED, actor_customer=customer)],
        "priority": [event(EventKind.PRIORITY_CHANGED, "priority", "normal", "high", actor=agent)],
        "team": [event(EventKind.TEAM_CHANGED, "team", other_team.name, "x", actor=agent)],
        "status and tags": [
            event(EventKind.STATUS_CHANGED, "status", "new", "open", actor=agent),
            event(EventKind.TAG_ADDED, "tags", "", "vip", actor=agent),
        ],
        "subject": [event(EventKind.SUBJECT_CHANGED, "subject", "a", "b", actor=agent)],
    }


@pytest.fixture
def cases(ticket, team, agent, customer):
    other_team = factories.TeamFactory(name="Elsewhere")
    calendar = factories.BusinessCalendarFactory(
        time_zone="UTC", hours={"mon": [["09:00", "17:00"]]}, always_open=False
    )
    calendars = {calendar.pk: calendar.as_calendar()}
    conds = conditions(team, other_team, agent, calendar)
    groups = [{"all": [x]} for x in conds] + [{"any": [x]} for x in conds]
    # Pairs, both ways, in both groups and mixed: ordering and short cuts must not matter.
    for a, b in itertools.islice(itertools.permutations(conds, 2), 0, None, 7):
        groups += [{"all": [a, b]}, {"any": [a, b]}, {"all": [a], "any": [b]}]
    return groups, changes(ticket, agent, customer, other_team), calendars


@pytest.mark.parametrize(
    "when",
    [dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC), dt.datetime(2026, 11, 30, 20, tzinfo=dt.UTC)],
)
def test_compiled_rules_agree_with_the_interpreter(ticket, cases, when):
    ticket.status = "open"
    groups, kinds, calendars = cases
    checked = 0
    with clock.travel(when):
        for name, events in kinds.items():
            facts = Facts(ticket, events, calendars=calendars)
            for group in groups:
                expected = conditions_hold(facts, group)
                assert compile_conditions(group)(facts) == expected, (name, group)
                keys = gate(group)
                if keys is not None and not keys & facts.keys:
                    # The index leaves the rule out for this change: it must not be able to hold.
                    assert not expected, (name, group)
                checked += 1
    assert checked > 1000


def test_gates():
    assert gate({"all": [c("event", "is", "created"), c("priority", "changed")]}) == {"created"}
    assert gate({"all": [c("priority", "changed_to", "urgent")]}) == {
        "changed:priority",
        "created",
    }
    assert gate({"all": [c("team", "changed_from", 3)]}) == {"changed:team"}
    assert gate({"all": [c("tags", "changed")]}) == {"changed:tags"}
    assert gate({"all": [c("event", "is_not", "created")]}) == {"updated"}
    assert gate({"any": [c("status", "changed"), c("tags", "changed")]}) == {
        "changed:status",
        "changed:tags",
        "created",
    }
    assert gate({"any": [c("status", "changed"), c("subject", "contains", "x")]}) is None
    assert gate({"all": [c("subject", "contains", "x")]}) is None
    assert gate({}) is None


def _triggers(*conditions):
    return [Trigger(pk=n, name=f"T{n}", conditions=conds) for n, conds in enumerate(conditions, 1)]


def test_the_index_lists_what_a_change_could_fire_in_order(ticket, agent):
    index = TriggerIndex.build(
        _triggers(
            {"all": [c("event", "is", "created")]},  # 0
            {"all": [c("subject", "contains", "refund")]},  # 1: any change
            {"all": [c("priority", "changed_to", "urgent")]},  # 2
            {"any": [c("status", "changed"), c("tags", "changed")]},  # 3
            {"all": [c("team", "changed_from", 1)]},  # 4
        )
    )
    priority = TicketEvent(
        ticket=ticket, kind=EventKind.PRIORITY_CHANGED, field="priority", actor=agent
    )
    tags = TicketEvent(ticket=ticket, kind=EventKind.TAG_ADDED, field="tags", actor=agent)
    created = TicketEvent(ticket=ticket, kind=EventKind.CREATED, actor=agent)
    assert index.candidates(Facts(ticket, [priority])) == [1, 2]
    assert index.candidates(Facts(ticket, [tags])) == [1, 3]
    assert index.candidates(Facts(ticket, [created])) == [0, 1, 2, 3]
    assert index.candidates(Facts(ticket, [created]), start=2) == [2, 3]
    assert index.candidates(Facts(ticket, [])) == [1]


def test_tags_and_latest_message_are_read_in_one_query(ticket, django_assert_num_queries):
    apart = Facts(ticket, [])
    expected = (apart.tags, apart.message)
    assert expected == ({"vip"}, "please refund me")
    together = Facts(ticket, [])
    together.wanted = frozenset({"tags", "message"})
    with django_assert_num_queries(1):
        assert (together.message, together.tags) == expected[::-1]
    untagged = factories.TicketFactory()
    apart = Facts(untagged, [])
    expected = (apart.tags, apart.message)
    facts = Facts(untagged, [])
    facts.wanted = frozenset({"tags", "message"})
    with django_assert_num_queries(1):
        assert (facts.tags, facts.message) == expected


@pytest.mark.django_db(transaction=True)  # the rules are cached once their change commits
def test_a_hundred_triggers_that_do_not_match_cost_one_query(
    trigger, ticket, agent, django_assert_num_queries
):
    for n in range(100):
        trigger(
            f"T{n}",
            [
                {"all": [c("priority", "changed_to", "urgent")]},
                {"all": [c("subject", "contains", f"zq{n}")]},
                {"all": [c("tags", "contains", f"bench-{n}")]},
                {"all": [c("event", "is", "created"), c("channel", "is", "email")]},
                {"any": [c("status", "changed_to", "on_hold"), c("message", "contains", "zq")]},
            ][n % 5],
            [{"action": "add_tags", "value": f"t{n}"}],
        )
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "low"})
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PRIORITY_CHANGED).latest("pk")
    event.ticket = ticket
    active_rules.get()  # loaded once per generation, not per change
    with django_assert_num_queries(1):  # the tags and the latest message, together
        run_triggers(Change(events=[event]))
    assert not ticket.tags.filter(name__startswith="t").exists()


def test_a_trigger_left_out_by_the_index_still_fires_on_what_an_earlier_one_changed(
    trigger, ticket, agent
):
    trigger(
        "Refund reopened is urgent",
        {"all": [c("status", "changed_to", "open"), c("subject", "contains", "refund")]},
        [{"action": "set_priority", "value": "urgent"}],
    )
    trigger(
        "Urgent gets a tag",
        {"all": [c("priority", "changed_to", "urgent")]},
        [{"action": "add_tags", "value": "escalated"}],
    )
    services.ticket_update(ticket=ticket, by=agent, changes={"status": "open"})
    ticket.refresh_from_db()
    assert ticket.priority == "urgent"
    assert ticket.tags.filter(name="escalated").exists()
