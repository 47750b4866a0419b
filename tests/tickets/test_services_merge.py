"""ticket_merge: the source is solved and points at the target; public messages are copied."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from support.errors import InvalidChange, NotPermitted
from tests import factories
from tickets import services
from tickets.models import EventKind, MessageKind, Status


@pytest.fixture
def source(team, customer):
    return factories.TicketFactory(team=team, requester=customer, subject="Duplicate")


def test_merge_copies_public_messages_and_solves_the_source(agent, source, ticket):
    services.ticket_note(ticket=source, body="private", by=agent)
    services.ticket_reply(
        ticket=source,
        body="public answer",
        by=agent,
        attachments=[SimpleUploadedFile("a.txt", b"hi", content_type="text/plain")],
    )
    before = ticket.messages.count()
    services.ticket_merge(source=source, target=ticket, by=agent)
    source.refresh_from_db()
    assert source.status == Status.SOLVED
    assert source.merged_into == ticket
    bodies = list(ticket.messages.values_list("body_text", flat=True))
    assert "public answer" in bodies
    assert "private" not in bodies
    # the two public messages of the source plus a note saying what happened
    assert ticket.messages.count() == before + 3
    copied = ticket.messages.get(body_text="public answer")
    assert copied.attachments.get().name == "a.txt"
    note = ticket.messages.filter(kind=MessageKind.NOTE).get()
    assert f"#{source.pk}" in note.body_text
    assert source.messages.filter(kind=MessageKind.NOTE, body_text__contains=f"#{ticket.pk}")
    assert ticket.events.filter(kind=EventKind.NOTE_ADDED).exists()
    assert source.events.filter(kind=EventKind.STATUS_CHANGED, new=Status.SOLVED).exists()
    # copies record no reply events: nobody is mailed the old conversation again
    assert not ticket.events.filter(kind=EventKind.REPLIED).exists()


def test_merging_into_itself_is_refused(agent, ticket):
    with pytest.raises(InvalidChange, match="itself"):
        services.ticket_merge(source=ticket, target=ticket, by=agent)


def test_merging_twice_is_refused(agent, source, ticket, team):
    services.ticket_merge(source=source, target=ticket, by=agent)
    with pytest.raises(InvalidChange, match="already merged"):
        services.ticket_merge(source=source, target=factories.TicketFactory(team=team), by=agent)
    with pytest.raises(InvalidChange, match="itself merged"):
        services.ticket_merge(source=factories.TicketFactory(team=team), target=source, by=agent)


def test_merging_into_a_closed_ticket_is_refused(agent, source, ticket):
    # workflow.check_transition refuses every move to closed (closing is not reachable through
    # ticket_change_status yet), so build the closed state directly.
    from support import clock
    from tickets.models import Ticket

    Ticket.objects.filter(pk=ticket.pk).update(
        status=Status.CLOSED, solved_at=clock.now(), closed_at=clock.now()
    )
    with pytest.raises(InvalidChange, match="closed"):
        services.ticket_merge(source=source, target=ticket, by=agent)


def test_customers_cannot_merge(source, ticket):
    with pytest.raises(NotPermitted):
        services.ticket_merge(
            source=source, target=ticket, by=factories.CustomerUserFactory(role="customer")
        )
