"""The ticket API's output serializers write ``to_representation`` out by hand for speed; each
must give exactly what DRF itself renders from the fields it declares (which are the schema)."""

import zoneinfo
from datetime import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone
from rest_framework import serializers

from tests import factories
from tickets import services
from tickets.message_serializers import AttachmentSerializer, MessageSerializer
from tickets.serializers import TicketSerializer
from tickets.sla.serializers import TicketSlaSerializer

pytestmark = pytest.mark.django_db

ZONES = ["UTC", "Europe/Berlin", "America/St_Johns"]
UTC = zoneinfo.ZoneInfo("UTC")


def _drf(serializer, instance) -> dict:
    """DRF's own rendering of ``serializer``'s declared fields (the written-out override
    bypassed; nested serializers are compared by their own tests)."""
    return serializers.Serializer.to_representation(serializer, instance)


def _context(user, **extra) -> dict:
    request = RequestFactory().get("/api/v1/tickets")
    request.user = user
    return {"request": request, **extra}


def _same(serializer, instance) -> None:
    ours, drfs = serializer.to_representation(instance), _drf(serializer, instance)
    assert ours == drfs
    assert list(ours) == list(drfs)  # the same order too


@pytest.fixture
def tickets(team, agent):
    org = factories.OrganizationFactory(name="Acme", notes="key account")
    factories.OrganizationDomainFactory(organization=org, domain="acme.example")
    requester = factories.CustomerFactory(organization=org, phone="+49 30 1", is_org_manager=True)
    full = factories.TicketFactory(
        requester=requester,
        team=team,
        assignee=agent,
        priority="urgent",
        status="solved",
        solved_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        first_response_due_at=datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC),
    )
    full.tags.add(factories.TagFactory(name="billing"), factories.TagFactory(name="vip"))
    bare = factories.TicketFactory(subject="Bare", team=team)
    return [full, bare]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("expand", [(), ("requester", "organization")])
def test_ticket_representation_is_drfs_for_agents(tickets, agent, zone, expand):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for ticket in tickets:
            _same(TicketSerializer(context=_context(agent, expand=frozenset(expand))), ticket)


def test_ticket_representation_is_drfs_for_customers_and_webhooks(tickets):
    customer_user = factories.CustomerUserFactory()
    for ticket in tickets:
        for context in (_context(customer_user, expand=frozenset({"requester"})), {}):
            _same(TicketSerializer(context=context), ticket)


@pytest.mark.parametrize("with_policy", [True, False])
def test_a_created_ticket_shown_as_written_is_drfs_and_as_read(agent, team, customer, with_policy):
    """Given the rows ``ticket_create`` wrote (``context["written"]``), the representation reads
    nothing back and equals both DRF's rendering and the one from the database."""
    if with_policy:
        factories.SlaPolicyFactory(is_default=True, next_reply_minutes=30)
    ticket = services.ticket_create(
        requester=customer,
        subject="Export is slow",
        body="Since today.",
        by=agent,
        team=team,
        tags=["zeta", "alpha"],
    )
    serializer = TicketSerializer(context=_context(agent, written=ticket.as_created))
    _same(serializer, ticket)
    read = TicketSerializer(context=_context(agent)).to_representation(
        type(ticket).objects.get(pk=ticket.pk)
    )
    assert serializer.to_representation(ticket) == read
    assert read["tags"] == ["alpha", "zeta"] and bool(read["sla"]["targets"]) is with_policy


def test_sla_representation_is_drfs():
    at = datetime(2026, 3, 29, 1, 30, 15, 5, tzinfo=UTC)
    target = {
        "kind": "first_response",
        "state": "running",
        "target_minutes": 60,
        "started_at": at,
        "warn_at": at,
        "due_at": at,
        "met": False,
        "met_at": None,
        "breached": True,
        "breached_at": None,
        "paused_since": at,
    }
    clock = {"state": "breached", "label": "first response", "text": "overdue", "due_at": at}
    for value in (
        {"policy_id": 7, "policy_name": "Gold", "clock": clock, "targets": [target, target]},
        {"policy_id": None, "policy_name": "", "clock": None, "targets": []},
        {"policy_id": 7, "policy_name": "Gold", "clock": {**clock, "due_at": None}, "targets": []},
    ):
        for zone in ZONES:
            with timezone.override(zoneinfo.ZoneInfo(zone)):
                _same(TicketSlaSerializer(), value)


@pytest.mark.parametrize("zone", ZONES)
def test_message_and_attachment_representations_are_drfs(agent, customer, zone):
    ticket = factories.TicketFactory(requester=customer)
    reply = factories.MessageFactory(ticket=ticket, author_customer=customer, body_html="<p>x</p>")
    note = factories.NoteFactory(ticket=ticket, author_user=agent)
    system = factories.MessageFactory(ticket=ticket, author_customer=None, author_user=None)
    attachment = services.ticket_note(
        ticket=ticket,
        body="see file",
        by=agent,
        attachments=[_upload()],
    ).attachments.get()
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for context in (_context(agent), {}):
            for message in (reply, note, system, attachment.message):
                _same(MessageSerializer(context=context), message)
            _same(AttachmentSerializer(context=context), attachment)


def test_a_message_shown_as_written_reads_no_attachments(agent, ticket, django_assert_num_queries):
    message = services.ticket_note(ticket=ticket, body="noted", by=agent)
    serializer = MessageSerializer(context=_context(agent, written_attachments=[]))
    with django_assert_num_queries(0):
        shown = serializer.to_representation(message)
    assert shown == MessageSerializer(context=_context(agent)).to_representation(message)
    assert shown["attachments"] == []


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
