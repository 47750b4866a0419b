"""Merge from the ticket page: find the target, preview what moves, confirm through the merge
service; the merged messages say where they came from, for agents and in the portal."""

import pytest
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import Attachment, Message, Status


def _url(ticket, **query):
    url = reverse("workspace:ticket_merge", args=[ticket.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def target(team, customer):
    return factories.TicketFactory(team=team, requester=customer, subject="Invoice missing VAT")


# --- permissions -------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, ticket):
    response = client.get(_url(ticket))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_customer_and_agent_of_another_team_get_404(client, other_agent, ticket, target, method):
    for user in (factories.CustomerUserFactory(), other_agent):
        client.force_login(user)
        response = getattr(client, method)(_url(ticket), {"into": target.pk, "confirm": "1"})
        assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_a_target_out_of_reach_is_not_found_and_nothing_moves(signed_in, ticket):
    hidden = factories.TicketFactory(team=factories.TeamFactory())
    response = signed_in.post(_url(ticket), {"into": hidden.pk, "confirm": "1"})
    assert response.status_code == 404
    assert f"There is no ticket #{hidden.pk} that you can see." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None and hidden.messages.count() == 1


# --- finding the target ------------------------------------------------------------------


def test_without_a_query_it_suggests_the_requesters_other_open_tickets(signed_in, ticket, target):
    closed = factories.TicketFactory(
        team=ticket.team,
        requester=ticket.requester,
        status=Status.CLOSED,
        closed_at=ticket.created_at,
        solved_at=ticket.created_at,
    )
    page = signed_in.get(_url(ticket)).content.decode()
    assert f"?into={target.pk}" in page
    assert f"?into={closed.pk}" not in page and f"?into={ticket.pk}" not in page


def test_search_by_number_or_subject(signed_in, ticket, target):
    other = factories.TicketFactory(team=ticket.team, subject="Password reset loop")
    by_number = signed_in.get(_url(ticket, q=f"%23{other.pk}")).content.decode()
    assert f"?into={other.pk}" in by_number
    by_subject = signed_in.get(_url(ticket, q="vat+invoice")).content.decode()
    assert f"?into={target.pk}" in by_subject and f"?into={other.pk}" not in by_subject
    nothing = signed_in.get(_url(ticket, q="zebra")).content.decode()
    assert "No open ticket you can see matches" in nothing


# --- preview and confirm -----------------------------------------------------------------


def test_preview_says_what_moves_and_changes_nothing(signed_in, agent, ticket, target):
    services.ticket_reply(ticket=ticket, body="We are on it", by=agent)
    services.ticket_note(ticket=ticket, body="internal", by=agent)
    Attachment.objects.create(
        ticket=ticket, message=ticket.messages.first(), file="x", name="a.png", size=3
    )
    before = Message.objects.count()
    page = signed_in.get(_url(ticket, into=target.pk)).content.decode()
    assert "2 public replies and 1 attachment" in page
    assert "1 internal note" in page
    assert f"both tickets are from {ticket.requester.display_name}" in page
    assert "set to Solved" in page
    assert f"Merge into #{target.pk}</button>" in page
    assert Message.objects.count() == before
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None


def test_preview_warns_when_the_requesters_differ(signed_in, ticket):
    stranger = factories.TicketFactory(team=ticket.team)
    page = signed_in.get(_url(ticket, into=stranger.pk)).content.decode()
    assert "Different requesters" in page
    assert "will see the copied replies in the portal" in page


def test_confirm_merges_through_the_service_and_marks_the_copies(signed_in, ticket, target):
    response = signed_in.post(_url(ticket), {"into": target.pk, "confirm": "1"})
    assert response.status_code == 302
    assert response.url == reverse("workspace:ticket", args=[target.pk])
    ticket.refresh_from_db()
    assert ticket.merged_into_id == target.pk and ticket.status == Status.SOLVED
    copy = target.messages.get(merged_from=ticket)
    assert copy.body_text == ticket.messages.filter(kind="reply").first().body_text
    page = signed_in.get(response.url).content.decode()
    assert f"From #{ticket.pk}, merged" in page
    assert f"#{ticket.pk} was merged into #{target.pk}." in page


def test_a_refusal_of_the_service_is_shown_as_a_conflict(signed_in, ticket, target):
    target.status = Status.CLOSED
    target.closed_at = target.created_at
    target.save()
    response = signed_in.post(_url(ticket), {"into": target.pk, "confirm": "1"})
    assert response.status_code == 409
    assert "is closed and can&#x27;t take merged tickets" in response.content.decode()


def test_a_ticket_already_merged_cannot_be_merged_again(signed_in, agent, ticket, target):
    services.ticket_merge(source=ticket, target=target, by=agent)
    response = signed_in.post(_url(ticket), {"into": target.pk, "confirm": "1"})
    assert response.status_code == 409
    assert f"already merged into #{target.pk}" in response.content.decode()
    assert (
        "Merge into…"
        not in signed_in.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    )


def test_merge_page_query_count_is_constant(
    signed_in, ticket, target, django_assert_max_num_queries
):
    signed_in.get(_url(ticket, into=target.pk))
    with django_assert_max_num_queries(20) as few:
        signed_in.get(_url(ticket, into=target.pk))
    for _ in range(8):
        factories.TicketFactory(team=ticket.team, requester=ticket.requester)
        factories.MessageFactory(ticket=ticket)
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(_url(ticket, into=target.pk))
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(_url(ticket))


# --- the portal --------------------------------------------------------------------------


def test_the_customer_sees_merged_messages_marked_with_their_own_ticket(client, agent, team):
    portal_user = factories.CustomerUserFactory()
    customer = portal_user.customer
    source = factories.TicketFactory(team=team, requester=customer, subject="Old thread")
    target = factories.TicketFactory(team=team, requester=customer)
    services.ticket_merge(source=source, target=target, by=agent)
    client.force_login(portal_user)
    page = client.get(reverse("portal:ticket", args=[target.pk])).content.decode()
    link = reverse("portal:ticket", args=[source.pk])
    assert f'From <a href="{link}">#{source.pk}</a>, merged' in page


def test_another_customers_ticket_is_never_named_in_the_portal(client, agent, team):
    portal_user = factories.CustomerUserFactory()
    source = factories.TicketFactory(team=team, subject="Someone else's secret")
    target = factories.TicketFactory(team=team, requester=portal_user.customer)
    services.ticket_merge(source=source, target=target, by=agent, other_requester=True)
    client.force_login(portal_user)
    page = client.get(reverse("portal:ticket", args=[target.pk])).content.decode()
    assert "From an earlier conversation, merged" in page
    assert f"#{source.pk}" not in page and "secret" not in page
    # The merge notes are internal: the customer never sees them.
    assert "was merged into this ticket" not in page


def test_different_requesters_need_the_explicit_confirmation(signed_in, ticket, team):
    other = factories.TicketFactory(team=team)
    url = reverse("workspace:ticket_merge", args=[ticket.pk])
    preview = signed_in.get(url, {"into": other.pk}).content.decode()
    assert 'name="other_requester"' in preview
    refused = signed_in.post(url, {"into": other.pk, "confirm": "1"})
    assert refused.status_code == 409
    assert "To merge anyway, confirm it" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.merged_into_id is None
    done = signed_in.post(url, {"into": other.pk, "confirm": "1", "other_requester": "1"})
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.merged_into_id == other.pk
