"""The ticket page: reading, editing in place, replying, notes, stale forms, attachments."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Attachment, EventKind, Message, MessageKind, Status


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _url(name, ticket, *args):
    return reverse(f"workspace:{name}", args=[ticket.pk, *args])


# --- permissions -------------------------------------------------------------------------

PAGES = [
    ("ticket", "get", ()),
    ("ticket_timeline", "get", ()),
    ("ticket_presence", "get", ()),
    ("ticket_send", "post", ()),
    ("ticket_edit", "post", ("priority",)),
]


@pytest.mark.parametrize(("name", "method", "args"), PAGES)
def test_anonymous_is_sent_to_sign_in(client, ticket, name, method, args):
    response = getattr(client, method)(_url(name, ticket, *args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method", "args"), PAGES)
def test_customer_gets_404(client, ticket, name, method, args):
    client.force_login(factories.CustomerUserFactory())
    assert getattr(client, method)(_url(name, ticket, *args)).status_code == 404


@pytest.mark.parametrize(("name", "method", "args"), PAGES)
def test_agent_of_another_team_gets_404(client, other_agent, ticket, name, method, args):
    client.force_login(other_agent)
    response = getattr(client, method)(_url(name, ticket, *args), {"value": "high", "body": "x"})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.priority == "normal"
    assert ticket.messages.count() == 1


def test_admin_sees_any_ticket(client, admin_user, ticket):
    client.force_login(admin_user)
    assert client.get(_url("ticket", ticket)).status_code == 200


# --- reading -----------------------------------------------------------------------------


def test_page_shows_conversation_notes_and_events_as_sentences(signed_in, agent, ticket):
    services.ticket_note(ticket=ticket, body="Check the logs first", by=agent)
    services.ticket_update(ticket=ticket, by=agent, changes={"priority": "high"})
    page = signed_in.get(_url("ticket", ticket)).content.decode()
    assert ticket.subject in page
    assert "Check the logs first" in page
    assert "msg-note" in page and "Internal note" in page
    assert f"{agent.display_name} changed priority from Normal to High" in page


def test_the_header_reads_tags_followers_and_policy_with_the_ticket(
    signed_in, agent, ticket, django_assert_max_num_queries
):
    """Tags (by name), followers and the SLA policy come with the ticket's own query."""
    from tickets.sla.models import TicketSla

    other = factories.AgentFactory(name="Zed Other")
    services.ticket_set_tags(ticket=ticket, add=["vip", "billing"], by=agent)
    ticket.followers.add(other, agent)
    TicketSla.objects.update_or_create(
        ticket=ticket, defaults={"policy_name": "Gold", "pinned": True}
    )
    signed_in.get(_url("ticket", ticket))  # warm the caches
    with django_assert_max_num_queries(9) as page:
        response = signed_in.get(_url("ticket", ticket))
    assert response.context["tags"] == ["billing", "vip"]
    followers = response.context["followers"]
    assert [f.pk for f in followers] == sorted([other.pk, agent.pk])
    assert {f.display_name for f in followers} == {agent.display_name, "Zed Other"}
    html = response.content.decode()
    assert "SLA policy: Gold" in html and "pinned by a rule" in html
    assert f'value="{other.pk}">Zed Other' in html
    sql = " ".join(q["sql"] for q in page.captured_queries)
    assert "tickets_ticket_tags" in sql and "tickets_ticketsla" in sql
    assert not any(q["sql"].startswith('SELECT "tickets_tag"') for q in page.captured_queries)
    assert not any(
        'INNER JOIN "tickets_ticket_followers"' in q["sql"] for q in page.captured_queries
    )


def test_ticket_page_query_count_is_constant(
    signed_in, agent, ticket, django_assert_max_num_queries
):
    for n in range(3):
        services.ticket_note(ticket=ticket, body=f"note {n}", by=agent)
    # Cold: 14 (the ticket comes with its SLA policy, tags and followers), 3 more to load the
    # product catalog, 2 the custom fields and 1 the branding into the process's caches
    # (products.cache, tickets.fields.cache, accounts.branding).
    with django_assert_max_num_queries(20) as few:
        signed_in.get(_url("ticket", ticket))
    # Warm: sidebar counts, saved views, canned responses, agents, teams, the product catalog and
    # the custom fields come from the cache.
    with django_assert_max_num_queries(9):
        signed_in.get(_url("ticket", ticket))
    for n in range(12):
        services.ticket_reply(ticket=ticket, body=f"reply {n}", by=agent)
        services.ticket_set_tags(ticket=ticket, add=[f"t{n}"], by=agent)
        services.ticket_update(
            ticket=ticket, by=agent, changes={"priority": "high" if n % 2 else "low"}
        )
    # Merged-in messages (marked with the ticket they came from) and collapsed runs of changes
    # cost no query per message or per run.
    for _ in range(3):
        other = factories.TicketFactory(team=ticket.team, requester=ticket.requester)
        services.ticket_merge(source=other, target=ticket, by=agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = signed_in.get(_url("ticket", ticket)).content.decode()
    assert page.count("From #") == 3 and "changes by" in page


def test_sanitized_html_is_rendered_and_text_is_escaped(signed_in, ticket):
    factories.MessageFactory(ticket=ticket, body_text="<script>alert(1)</script>")
    page = signed_in.get(_url("ticket", ticket)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


# --- editing in place --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("priority", "urgent", lambda t: t.priority == "urgent"),
        ("status", "pending", lambda t: t.status == "pending"),
        ("type", "incident", lambda t: t.type == "incident"),
        ("subject", "  New   subject ", lambda t: t.subject == "New subject"),
        ("assignee", "me", lambda t: t.assignee is not None),
        ("tag_add", "vip, billing", lambda t: {x.name for x in t.tags.all()} == {"vip", "billing"}),
        ("follower_add", "me", lambda t: t.followers.count() == 1),
    ],
)
def test_header_edit_goes_through_the_service_and_records_an_event(
    signed_in, ticket, field, value, check
):
    before = ticket.events.count()
    response = signed_in.post(
        _url("ticket_edit", ticket, field), {"value": value}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="ticket-header"' in response.content.decode()
    assert response["HX-Trigger"] == "ticket-changed"
    ticket.refresh_from_db()
    assert check(ticket)
    assert ticket.events.count() > before


def test_team_and_unassign_edits(signed_in, agent, team, ticket):
    signed_in.post(_url("ticket_edit", ticket, "assignee"), {"value": str(agent.pk)})
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    signed_in.post(_url("ticket_edit", ticket, "assignee"), {"value": ""})
    signed_in.post(_url("ticket_edit", ticket, "team"), {"value": ""})
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.team is None


def test_tag_and_follower_removal(signed_in, agent, ticket):
    services.ticket_set_tags(ticket=ticket, add=["vip"], by=agent)
    services.ticket_follow(ticket=ticket, user=agent, by=agent)
    signed_in.post(_url("ticket_edit", ticket, "tag_remove"), {"value": "vip"})
    signed_in.post(_url("ticket_edit", ticket, "follower_remove"), {"value": str(agent.pk)})
    assert not ticket.tags.exists()
    assert not ticket.followers.exists()


def test_unknown_status_is_explained_in_the_header(signed_in, ticket):
    response = signed_in.post(
        _url("ticket_edit", ticket, "status"), {"value": "exploded"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "is not a ticket status" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_unknown_field_is_404(signed_in, ticket):
    assert (
        signed_in.post(_url("ticket_edit", ticket, "requester"), {"value": "1"}).status_code == 404
    )


def test_edit_without_htmx_redirects_with_message(signed_in, ticket):
    response = signed_in.post(_url("ticket_edit", ticket, "priority"), {"value": "bogus"})
    assert response.status_code == 302


# --- composer ----------------------------------------------------------------------------


def _last_id(ticket):
    return ticket.messages.order_by("-pk").values_list("pk", flat=True).first()


def test_reply_and_set_pending(signed_in, agent, ticket):
    response = signed_in.post(
        _url("ticket_send", ticket),
        {
            "kind": "reply",
            "body": "We're on it",
            "then": "pending",
            "last_message_id": _last_id(ticket),
        },
    )
    assert response.status_code == 302
    assert "?sent=" in response.url
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    message = ticket.messages.get(body_text="We're on it")
    assert message.kind == MessageKind.REPLY and message.author_user == agent


def test_note_is_internal(signed_in, ticket):
    signed_in.post(
        _url("ticket_send", ticket),
        {"kind": "note", "body": "Secret", "last_message_id": _last_id(ticket)},
    )
    assert ticket.messages.get(body_text="Secret").kind == MessageKind.NOTE


def test_empty_reply_keeps_the_form_with_a_message(signed_in, ticket):
    response = signed_in.post(
        _url("ticket_send", ticket),
        {"kind": "reply", "body": "   ", "then": "solved", "last_message_id": _last_id(ticket)},
    )
    assert response.status_code == 400
    assert "The message is empty." in response.content.decode()
    assert response.context["composer"]["then"] == "solved"


def test_validation_error_keeps_what_was_typed(signed_in, ticket, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.pdf", b"x" * 100, content_type="application/pdf")
    response = signed_in.post(
        _url("ticket_send", ticket),
        {
            "kind": "reply",
            "body": "Long careful answer",
            "attachments": [upload],
            "last_message_id": _last_id(ticket),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Long careful answer" in page
    assert "attachments can be at most" in page
    assert "attach the files again" in page
    assert ticket.messages.count() == 1


def test_executable_attachment_is_refused(signed_in, ticket):
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = signed_in.post(
        _url("ticket_send", ticket),
        {
            "kind": "reply",
            "body": "see file",
            "attachments": [upload],
            "last_message_id": _last_id(ticket),
        },
    )
    assert response.status_code == 400
    assert "programs and scripts are not accepted" in response.content.decode()


def test_multiple_attachments_are_stored(signed_in, ticket):
    files = [
        SimpleUploadedFile("a.png", b"\x89PNG...", content_type="image/png"),
        SimpleUploadedFile("b.txt", b"hello", content_type="text/plain"),
    ]
    signed_in.post(
        _url("ticket_send", ticket),
        {
            "kind": "reply",
            "body": "two files",
            "attachments": files,
            "last_message_id": _last_id(ticket),
        },
    )
    assert Attachment.objects.filter(ticket=ticket).count() == 2


def test_stale_form_shows_the_new_message_and_asks_again(signed_in, ticket, customer):
    loaded = _last_id(ticket)
    services.ticket_reply(ticket=ticket, body="Actually it works now", by=customer)
    data = {"kind": "reply", "body": "Try restarting", "last_message_id": loaded}
    response = signed_in.post(_url("ticket_send", ticket), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "New activity arrived" in page
    assert "Actually it works now" in page
    assert "Try restarting" in page
    assert not ticket.messages.filter(body_text="Try restarting").exists()
    # Shown once, in its place in the timeline and marked "New"; the notice links to it.
    fresh = ticket.messages.get(body_text="Actually it works now")
    main = page[: page.index('<aside class="ticket-side"')]
    assert main.count("Actually it works now") == 1
    assert page.count(f'id="m{fresh.pk}"') == 1 and f'href="#m{fresh.pk}"' in page
    assert 'class="msg msg-customer msg-new"' in page
    # The re-rendered form carries the new message id: sending again goes through.
    data["last_message_id"] = response.context["last_message_id"]
    assert signed_in.post(_url("ticket_send", ticket), data).status_code == 302
    assert ticket.messages.filter(body_text="Try restarting").exists()


def test_note_with_status_is_refused_and_kept(signed_in, ticket):
    response = signed_in.post(
        _url("ticket_send", ticket),
        {"kind": "note", "body": "hm", "then": "solved", "last_message_id": _last_id(ticket)},
    )
    assert response.status_code == 400
    assert not Message.objects.filter(body_text="hm").exists()


# --- attachments -------------------------------------------------------------------------


def _attach(ticket, agent, name, content_type, data=b"data"):
    message = services.ticket_note(
        ticket=ticket,
        body="file",
        by=agent,
        attachments=[SimpleUploadedFile(name, data, content_type=content_type)],
    )
    return message.attachments.get()


def test_image_is_shown_inline_other_files_download(signed_in, agent, ticket):
    png = _attach(ticket, agent, "shot.png", "image/png")
    response = signed_in.get(reverse("workspace:attachment", args=[png.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "attachment" not in response.get("Content-Disposition", "")
    pdf = _attach(ticket, agent, "doc.pdf", "application/pdf")
    response = signed_in.get(reverse("workspace:attachment", args=[pdf.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"


def test_svg_is_never_inline(signed_in, agent, ticket):
    svg = _attach(ticket, agent, "x.svg", "image/svg+xml", b"<svg onload='alert(1)'/>")
    response = signed_in.get(reverse("workspace:attachment", args=[svg.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] != "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_of_an_unreachable_ticket_is_404(client, agent, other_agent, ticket):
    png = _attach(ticket, agent, "shot.png", "image/png")
    client.force_login(other_agent)
    assert client.get(reverse("workspace:attachment", args=[png.pk])).status_code == 404
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("workspace:attachment", args=[png.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("workspace:attachment", args=[png.pk])).status_code == 302


# --- presence ----------------------------------------------------------------------------


def test_presence_shows_other_agents_and_typing(client, agent, team, ticket):
    colleague = factories.AgentFactory(teams=[team], name="Dana Reyes")
    client.force_login(colleague)
    client.get(_url("ticket_presence", ticket), {"typing": "1"})
    client.force_login(agent)
    response = client.get(_url("ticket_presence", ticket))
    page = response.content.decode()
    assert "Dana Reyes is typing" in page
    assert agent.display_name not in page


def test_presence_reports_new_messages(signed_in, ticket, customer):
    loaded = _last_id(ticket)
    services.ticket_reply(ticket=ticket, body="ping", by=customer)
    page = signed_in.get(
        _url("ticket_presence", ticket), {"last_message_id": loaded}
    ).content.decode()
    assert "1 new message" in page


def test_events_of_merge_are_listed(signed_in, agent, team, ticket):
    other = factories.TicketFactory(team=team, requester=ticket.requester)
    services.ticket_merge(source=other, target=ticket, by=agent)
    page = signed_in.get(_url("ticket", ticket)).content.decode()
    assert f"#{other.pk}" in page
    assert EventKind.NOTE_ADDED


def test_moving_a_ticket_out_of_reach_redirects_home(signed_in, ticket):
    elsewhere = factories.TeamFactory()
    response = signed_in.post(
        _url("ticket_edit", ticket, "team"), {"value": str(elsewhere.pk)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("workspace:home")
    ticket.refresh_from_db()
    assert ticket.team == elsewhere


def test_stale_form_after_a_colleagues_status_change(client, agent, team, ticket):
    client.force_login(agent)
    page = client.get(_url("ticket", ticket))
    loaded = {k: page.context[k] for k in ("last_message_id", "last_event_id")}
    colleague = factories.AgentFactory(teams=[team], name="Sam Okafor")
    services.ticket_change_status(ticket=ticket, status=Status.SOLVED, by=colleague)
    data = {"kind": "reply", "body": "Here is how", **loaded}
    response = client.post(_url("ticket_send", ticket), data)
    assert response.status_code == 409
    assert "Sam Okafor changed status from New to Solved" in response.content.decode()
    data.update({k: response.context[k] for k in loaded})
    assert client.post(_url("ticket_send", ticket), data).status_code == 302


def test_own_changes_do_not_make_the_form_stale(signed_in, agent, ticket):
    page = signed_in.get(_url("ticket", ticket))
    loaded = {k: page.context[k] for k in ("last_message_id", "last_event_id")}
    signed_in.post(_url("ticket_edit", ticket, "priority"), {"value": "high"})
    data = {"kind": "reply", "body": "Done", **loaded}
    assert signed_in.post(_url("ticket_send", ticket), data).status_code == 302
