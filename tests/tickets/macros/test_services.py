"""Macros: the one validator, who may keep and apply which macro, and applying one as one change."""

from __future__ import annotations

import pytest

from support.errors import InvalidChange, NotFound, NotPermitted, ValidationFailed
from tests import factories
from tickets import events, services
from tickets.macros import services as macros
from tickets.macros.models import Macro, MacroScope
from tickets.macros.selectors import macro_get_for_agent, macros_for_picker, macros_visible_to
from tickets.models import EventKind, MessageKind, Status


@pytest.fixture
def solve_macro(admin_user):
    return macros.macro_save(
        agent=admin_user,
        title="Refund issued — solve",
        scope=MacroScope.SHARED,
        actions={
            "reply": "Hi {{ customer.first_name }}, your refund for {{ ticket.reference }} is on "
            "its way.",
            "note": "Refunded in the billing tool.",
            "status": "solved",
            "priority": "low",
            "tags_add": ["refund", "Billing Issue"],
        },
    )


# --- validation ------------------------------------------------------------------------------


def test_actions_are_normalized(team, agent):
    clean = macros.macro_clean_actions(
        {
            "reply": "  Hello  ",
            "status": "pending",
            "team": str(team.pk),
            "assignee": "me",
            "tags_add": "a, b a",
            "note": "",
        }
    )
    assert clean == {
        "reply": "Hello",
        "status": "pending",
        "team": team.pk,
        "assignee": "me",
        "tags_add": ["a", "b"],
    }


@pytest.mark.parametrize(
    ("actions", "field", "words"),
    [
        ({"colour": "red"}, "actions", "Unknown action 'colour'"),
        ({}, "actions", "at least one action"),
        ({"status": "closed"}, "status", "not a status a macro can set"),
        ({"status": "new"}, "status", "not a status a macro can set"),
        ({"priority": "asap"}, "priority", "not a priority"),
        ({"type": "rant"}, "type", "not a ticket type"),
        ({"assignee": "x"}, "assignee", "not an id"),
        ({"tags_add": ["ok", "no way!"]}, "tags_add", "not a valid tag"),
        ({"reply": 3}, "reply", "is text"),
        ("status=solved", "actions", "are an object"),
    ],
)
def test_invalid_actions_are_refused_with_a_clear_error(db, actions, field, words):
    with pytest.raises(ValidationFailed) as caught:
        macros.macro_clean_actions(actions)
    assert caught.value.field == field
    assert words in caught.value.message


def test_a_tag_both_added_and_removed_ends_removed(db):
    clean = macros.macro_clean_actions({"tags_add": ["a", "B"], "tags_remove": ["A"]})
    assert clean == {"tags_add": ["b"], "tags_remove": ["a"]}
    assert macros.macro_clean_actions({"tags_add": ["a"], "tags_remove": ["a"]}) == {
        "tags_remove": ["a"]
    }


@pytest.mark.parametrize(
    ("actions", "field", "words"),
    [
        ({"team": 999999}, "team", "No team with id 999999"),
        ({"assignee": 999999}, "assignee", "not an active agent"),
    ],
)
def test_an_id_naming_nothing_is_not_found(db, actions, field, words):
    with pytest.raises(NotFound) as caught:
        macros.macro_clean_actions(actions)
    assert caught.value.field == field
    assert words in caught.value.message


def test_a_customer_is_not_an_assignee(db):
    contact = factories.CustomerUserFactory()
    with pytest.raises(NotFound):
        macros.macro_clean_actions({"assignee": contact.pk})


# --- keeping ---------------------------------------------------------------------------------


def test_agents_keep_personal_macros_only(agent, team):
    mine = macros.macro_save(agent=agent, title="  Take  it ", actions={"assignee": "me"})
    assert (mine.owner, mine.team, mine.scope, mine.title) == (agent, None, "personal", "Take it")
    with pytest.raises(NotPermitted):
        macros.macro_save(agent=agent, title="T", actions={"status": "open"}, scope="shared")
    with pytest.raises(NotPermitted):
        macros.macro_save(
            agent=agent, title="T", actions={"status": "open"}, scope="team", team=team
        )


def test_admins_keep_team_and_shared_macros(admin_user, team):
    team_macro = macros.macro_save(
        agent=admin_user, title="T", actions={"status": "open"}, scope="team", team=team
    )
    assert (team_macro.owner, team_macro.team, team_macro.scope) == (None, team, "team")
    with pytest.raises(ValidationFailed) as caught:
        macros.macro_save(agent=admin_user, title="T", actions={"status": "open"}, scope="team")
    assert caught.value.field == "team_id"
    with pytest.raises(ValidationFailed):
        macros.macro_save(agent=admin_user, title=" ", actions={"status": "open"})


def test_personal_macro_of_another_agent_is_not_found(agent, other_agent, admin_user):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    for someone in (agent, admin_user):
        with pytest.raises(NotFound):
            macro_get_for_agent(agent=someone, macro_id=theirs.pk)
        with pytest.raises(NotFound):
            macros.macro_save(agent=someone, title="Mine now", actions={}, macro=theirs)
        with pytest.raises(NotFound):
            macros.macro_delete(agent=someone, macro=theirs)
    assert Macro.objects.get(pk=theirs.pk).title == "Theirs"


def test_visibility_own_team_and_shared(agent, team, other_agent, admin_user, solve_macro):
    mine = macros.macro_save(agent=agent, title="Mine", actions={"status": "open"})
    ours = macros.macro_save(
        agent=admin_user, title="Ours", actions={"status": "open"}, scope="team", team=team
    )
    other_team = other_agent.teams.get()
    theirs = macros.macro_save(
        agent=admin_user, title="Theirs", actions={"status": "open"}, scope="team", team=other_team
    )
    off = macros.macro_save(agent=agent, title="Off", actions={"status": "open"}, active=False)
    assert set(macros_visible_to(agent)) == {mine, ours, solve_macro, off}
    assert {m["id"] for m in macros_for_picker(agent)} == {mine.pk, ours.pk, solve_macro.pk}
    assert set(macros_visible_to(other_agent)) == {theirs, solve_macro}
    with pytest.raises(NotFound):
        macro_get_for_agent(agent=agent, macro_id=off.pk, active=True)


def test_picker_list_is_refreshed_when_a_macro_is_saved(agent):
    assert macros_for_picker(agent) == []
    macros.macro_save(agent=agent, title="New", actions={"status": "open"})
    assert [m["title"] for m in macros_for_picker(agent)] == ["New"]


# --- preview and apply -----------------------------------------------------------------------


def test_preview_fills_placeholders_and_lists_real_changes(agent, ticket, solve_macro):
    ticket.requester.name = "Ada Lovelace"
    ticket.requester.save()
    services.ticket_set_tags(ticket=ticket, by=agent, add=["refund"])
    preview = macros.macro_preview(solve_macro, ticket=ticket, agent=agent)
    assert preview["reply"].startswith(f"Hi Ada, your refund for {ticket.reference}")
    assert preview["note"] == "Refunded in the billing tool."
    fields = {c["field"]: c for c in preview["changes"]}
    assert fields["status"]["new"] == "Solved"
    assert fields["tags"]["new"] == "+billing-issue"  # "refund" is already there
    assert "priority" in fields or ticket.priority == "low"
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # nothing saved


def test_apply_replies_notes_tags_and_solves_as_one_change(agent, ticket, solve_macro):
    seen = []

    def hook(change):
        seen.append([e.kind for e in change.events])

    events.on_change(hook)
    try:
        sent = macros.macro_apply(
            ticket=ticket, macro=solve_macro, by=agent, reply="Refund sent.", note="Done."
        )
    finally:
        events._hooks.remove(hook)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.priority == "low"
    assert set(ticket.tags.values_list("name", flat=True)) == {"refund", "billing-issue"}
    assert [m.kind for m in sent] == [MessageKind.NOTE, MessageKind.REPLY]
    assert sent[1].body_text == "Refund sent."
    assert len(seen) == 1  # the hooks saw one change holding every event
    assert EventKind.REPLIED in seen[0] and EventKind.TAG_ADDED in seen[0]
    assert seen[0][-1] == EventKind.STATUS_CHANGED  # the status moves last


def test_apply_is_all_or_nothing(agent, ticket, team):
    stranger = factories.AgentFactory()  # not in the ticket's team
    macro = Macro.objects.create(
        title="Bad", owner=agent, actions={"tags_add": ["x"], "assignee": stranger.pk}
    )
    with pytest.raises(ValidationFailed):
        macros.macro_apply(ticket=ticket, macro=macro, by=agent, reply="Hello")
    ticket.refresh_from_db()
    assert list(ticket.tags.all()) == []
    assert ticket.messages.filter(body_text="Hello").count() == 0
    assert ticket.assignee is None


def test_apply_refuses_a_disabled_macro(agent, ticket, solve_macro):
    solve_macro.active = False
    with pytest.raises(InvalidChange):
        macros.macro_apply(ticket=ticket, macro=solve_macro, by=agent)


def test_apply_refuses_a_closed_ticket_and_saves_nothing(agent, ticket, solve_macro):
    services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)
    services.ticket_change_status(ticket=ticket, status=Status.CLOSED, by=agent)
    with pytest.raises(InvalidChange):
        macros.macro_apply(ticket=ticket, macro=solve_macro, by=agent, reply="Hi")
    assert not ticket.tags.exists()


def test_status_from_the_send_button_wins(agent, ticket, solve_macro):
    macros.macro_apply(ticket=ticket, macro=solve_macro, by=agent, reply="Hi", status="pending")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


def test_apply_without_texts_changes_fields_only(agent, ticket, team):
    macro = macros.macro_save(
        agent=agent, title="Take", actions={"assignee": "me", "status": "pending"}
    )
    assert macros.macro_apply(ticket=ticket, macro=macro, by=agent) == []
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (agent, Status.PENDING)


def test_describe_says_what_a_macro_does(solve_macro):
    assert macros.macro_describe(solve_macro) == (
        "reply · note · status solved · priority low · +refund · +billing-issue"
    )
