"""Macro pages: applying one with the composer's send, the preview, bulk, and the settings page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.macros import services as macros
from tickets.macros.models import Macro, MacroScope
from tickets.models import MessageKind, Status


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def solve_macro(admin_user):
    return macros.macro_save(
        agent=admin_user,
        title="Refund issued — solve",
        scope=MacroScope.SHARED,
        actions={
            "reply": "Hi {{ customer.first_name }}, refunded.",
            "note": "Refunded in billing.",
            "status": "solved",
            "tags_add": ["refund"],
        },
    )


def _loaded(client, ticket) -> dict:
    page = client.get(reverse("workspace:ticket", args=[ticket.pk]))
    return {k: page.context[k] for k in ("last_message_id", "last_event_id")}


def _send(client, ticket, **data):
    return client.post(reverse("workspace:ticket_send", args=[ticket.pk]), data)


# --- the composer --------------------------------------------------------------------------


def test_the_picker_lists_the_macros_the_agent_may_apply(signed_in, agent, ticket, solve_macro):
    page = signed_in.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert 'name="macro"' in page and reverse("macros:picker") in page
    mine = macros.macro_save(agent=agent, title="Mine", actions={"status": "open"})
    macros.macro_save(agent=agent, title="Off", actions={"status": "open"}, active=False)
    assert signed_in.get(reverse("macros:picker")).json() == {
        "macros": [
            {"id": mine.pk, "title": "Mine", "source": "yours"},
            {"id": solve_macro.pk, "title": "Refund issued — solve", "source": "shared"},
        ]
    }


def test_the_picker_is_for_agents(client, solve_macro):
    assert client.get(reverse("macros:picker")).status_code == 302
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("macros:picker")).status_code in (403, 404)


def test_preview_shows_texts_and_changes_without_saving(signed_in, ticket, solve_macro):
    ticket.requester.name = "Ada Lovelace"
    ticket.requester.save()
    url = reverse("macros:preview", args=[ticket.pk, solve_macro.pk])
    data = signed_in.get(url).json()
    assert data["reply"] == "Hi Ada, refunded."
    assert data["note"] == "Refunded in billing."
    assert {"field": "status", "label": "Status", "old": "New", "new": "Solved"} in data["changes"]
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not ticket.tags.exists()


def test_preview_of_someone_elses_personal_macro_or_ticket_is_404(
    client, agent, other_agent, ticket, solve_macro
):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    client.force_login(agent)
    assert client.get(reverse("macros:preview", args=[ticket.pk, theirs.pk])).status_code == 404
    client.force_login(other_agent)  # the macro is shared, the ticket is not theirs
    assert (
        client.get(reverse("macros:preview", args=[ticket.pk, solve_macro.pk])).status_code == 404
    )


def test_one_send_replies_notes_tags_and_solves(signed_in, agent, ticket, solve_macro):
    response = _send(
        signed_in,
        ticket,
        kind="reply",
        body="Hi Ada, refunded (edited).",
        macro=str(solve_macro.pk),
        macro_note="Refunded in billing.",
        **_loaded(signed_in, ticket),
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert list(ticket.tags.values_list("name", flat=True)) == ["refund"]
    reply = ticket.messages.get(kind=MessageKind.REPLY, author_user=agent)
    assert reply.body_text == "Hi Ada, refunded (edited)."
    assert ticket.messages.filter(kind=MessageKind.NOTE, body_text="Refunded in billing.").exists()


def test_send_with_a_macro_keeps_the_collision_check(signed_in, ticket, customer, solve_macro):
    loaded = _loaded(signed_in, ticket)
    services.ticket_reply(ticket=ticket, body="Never mind, found it", by=customer)
    data = {"kind": "reply", "body": "Refunded.", "macro": str(solve_macro.pk), **loaded}
    response = _send(signed_in, ticket, **data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Never mind, found it" in page and "Refunded." in page
    assert f'name="macro" value="{solve_macro.pk}"' in page  # still pending, not applied
    ticket.refresh_from_db()
    assert not ticket.tags.exists()
    data["last_message_id"] = response.context["last_message_id"]
    assert _send(signed_in, ticket, **data).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_an_error_rerenders_with_the_macro_pending_and_saves_nothing(signed_in, agent, ticket):
    stranger = factories.AgentFactory()
    macro = Macro.objects.create(
        title="Bad", owner=agent, actions={"tags_add": ["x"], "assignee": stranger.pk}
    )
    response = _send(
        signed_in,
        ticket,
        kind="reply",
        body="Hello",
        macro=str(macro.pk),
        **_loaded(signed_in, ticket),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not a member of" in page
    assert f'name="macro" value="{macro.pk}"' in page and "Hello" in page
    assert not ticket.tags.exists()
    assert not ticket.messages.filter(body_text="Hello").exists()


def test_a_macro_out_of_reach_keeps_the_text(signed_in, other_agent, ticket):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    response = _send(signed_in, ticket, kind="reply", body="Typed", macro=str(theirs.pk))
    assert response.status_code == 400
    assert "no longer available" in response.content.decode()
    assert not ticket.messages.filter(body_text="Typed").exists()


def test_send_without_a_macro_is_unchanged(signed_in, ticket):
    assert _send(signed_in, ticket, kind="reply", body="Plain").status_code == 302
    assert ticket.messages.filter(body_text="Plain").exists()


# --- bulk ----------------------------------------------------------------------------------


def _bulk(client, tickets, macro, **extra):
    return client.post(
        reverse("workspace:bulk"),
        {"action": "macro", "ids": [t.pk for t in tickets], "macro": str(macro.pk), **extra},
        follow=True,
    )


def test_bulk_applies_fields_and_note_but_no_reply_unless_asked(
    signed_in, agent, team, solve_macro
):
    tickets = [factories.TicketFactory(team=team) for _ in range(2)]
    response = _bulk(signed_in, tickets, solve_macro)
    assert "Applied “Refund issued — solve” to 2 ticket(s)." in response.content.decode()
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.SOLVED
        assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
        assert not ticket.messages.filter(author_user=agent, kind=MessageKind.REPLY).exists()


def test_bulk_with_reply_renders_each_tickets_placeholders(signed_in, agent, team, solve_macro):
    tickets = [
        factories.TicketFactory(team=team, requester=factories.CustomerFactory(name=name))
        for name in ("Ada Lovelace", "Alan Turing")
    ]
    _bulk(signed_in, tickets, solve_macro, macro_reply="on")
    replies = [t.messages.get(author_user=agent, kind=MessageKind.REPLY).body_text for t in tickets]
    assert replies == ["Hi Ada, refunded.", "Hi Alan, refunded."]


def test_bulk_reports_errors_per_ticket(signed_in, agent, team, solve_macro):
    good, closed = factories.TicketFactory(team=team), factories.TicketFactory(team=team)
    services.ticket_change_status(ticket=closed, status=Status.SOLVED, by=agent)
    services.ticket_change_status(ticket=closed, status=Status.CLOSED, by=agent)
    page = _bulk(signed_in, [good, closed], solve_macro).content.decode()
    assert "to 1 ticket(s)" in page
    assert f"{closed.reference}: A closed ticket can" in page
    good.refresh_from_db()
    assert good.status == Status.SOLVED


def test_bulk_with_someone_elses_macro_changes_nothing(signed_in, other_agent, team):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "pending"})
    ticket = factories.TicketFactory(team=team)
    page = _bulk(signed_in, [ticket], theirs).content.decode()
    assert "no longer available" in page
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


# --- the settings page ---------------------------------------------------------------------


def test_anonymous_and_customers_are_kept_out(client, solve_macro):
    assert client.get(reverse("macros:list")).status_code == 302
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("macros:list")).status_code in (403, 404)


def test_agent_creates_edits_and_deletes_a_personal_macro(signed_in, agent, team):
    response = signed_in.post(
        reverse("macros:save"),
        {
            "title": "Need more info — pending",
            "active": "on",
            "reply": "Could you send a screenshot?",
            "status": "pending",
            "assignee": "me",
            "tags_add": "needs-info",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.owner == agent
    assert macro.actions == {
        "reply": "Could you send a screenshot?",
        "status": "pending",
        "assignee": "me",
        "tags_add": ["needs-info"],
    }
    page = signed_in.get(reverse("macros:list") + f"?edit={macro.pk}")
    assert page.context["form"]["assignee"] == "me"
    signed_in.post(
        reverse("macros:save"),
        {"id": macro.pk, "title": "Need info", "status": "on_hold", "team": "none"},
    )
    macro.refresh_from_db()
    assert (macro.title, macro.active, macro.actions) == (
        "Need info",
        False,
        {"status": "on_hold", "team": None},
    )
    signed_in.post(reverse("macros:delete", args=[macro.pk]))
    assert not Macro.objects.exists()


def test_invalid_form_comes_back_with_the_error_and_the_input(signed_in):
    response = signed_in.post(reverse("macros:save"), {"title": "Nothing", "active": "on"})
    assert response.status_code == 400
    assert "A macro needs at least one action." in response.content.decode()
    assert response.context["form"]["title"] == "Nothing"
    response = signed_in.post(reverse("macros:save"), {"title": "T", "tags_add": "no way!"})
    assert "not a valid tag" in response.content.decode()


def test_agent_cannot_make_shared_macros_or_touch_others(signed_in, other_agent, solve_macro):
    response = signed_in.post(
        reverse("macros:save"), {"title": "S", "scope": "shared", "status": "open"}
    )
    assert response.status_code == 400 or response.status_code == 403
    assert not Macro.objects.filter(title="S").exists()
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    assert signed_in.post(reverse("macros:delete", args=[theirs.pk])).status_code == 404
    assert signed_in.get(reverse("macros:list") + f"?edit={theirs.pk}").status_code == 404
    # A shared macro is visible but not the agent's to change.
    assert signed_in.post(reverse("macros:delete", args=[solve_macro.pk])).status_code == 403
    assert Macro.objects.filter(pk=solve_macro.pk).exists()


def test_admin_keeps_team_macros(client, admin_user, team):
    client.force_login(admin_user)
    client.post(
        reverse("macros:save"),
        {
            "title": "Escalate",
            "scope": "team",
            "team_id": team.pk,
            "priority": "high",
            "active": "on",
        },
    )
    macro = Macro.objects.get()
    assert (macro.team, macro.owner) == (team, None)
    assert "Escalate" in client.get(reverse("macros:list")).content.decode()


def test_test_on_a_ticket_shows_what_it_would_do_and_changes_nothing(signed_in, agent, ticket):
    macro = macros.macro_save(
        agent=agent,
        title="Pend",
        actions={"status": "pending", "reply": "Hi {{ ticket.reference }}"},
    )
    page = signed_in.get(reverse("macros:list"), {"edit": macro.pk, "try": f"#{ticket.pk}"})
    html = page.content.decode()
    assert "New → Pending" in html and f"Hi #{ticket.pk}" in html
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    hidden = factories.TicketFactory()  # another team's ticket
    page = signed_in.get(reverse("macros:list"), {"edit": macro.pk, "try": str(hidden.pk)})
    assert f"No ticket #{hidden.pk} that you can see." in page.content.decode()


def test_copy_a_shared_macro_makes_a_personal_one_for_an_agent(signed_in, agent, solve_macro):
    response = signed_in.post(reverse("macros:copy", args=[solve_macro.pk]))
    copy = Macro.objects.exclude(pk=solve_macro.pk).get()
    assert response.url.endswith(f"?edit={copy.pk}")
    assert (copy.title, copy.owner, copy.actions) == (
        "Refund issued — solve (copy)",
        agent,
        solve_macro.actions,
    )


def test_copy_someone_elses_personal_macro_is_404(signed_in, other_agent):
    theirs = macros.macro_save(agent=other_agent, title="Theirs", actions={"status": "open"})
    assert signed_in.post(reverse("macros:copy", args=[theirs.pk])).status_code == 404
