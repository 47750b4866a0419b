from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Team, User
from bench.dataset import BULK_MODELS
from bench.pgcopy import secondary_indexes
from customers.models import Customer, Organization
from tests.checks import assert_ticket_keys_copied
from tickets.models import (
    OPEN_STATUSES,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketEvent,
)

SMALL = {"organizations": 30, "customers": 400, "agents": 12, "teams": 3, "batch": 700}


def test_seed_scale_refuses_anything_but_postgresql(db, monkeypatch):
    """On SQLite (the embedded default) the command stops with a message naming the fix."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("seed_scale", tickets=10)


@pytest.mark.postgres
def test_seed_scale_loads_the_sizes_asked_for_within_every_constraint(db):
    """A small load: the counts asked for, ~3 messages a ticket, ~10% open, every rule kept."""
    tables = [m._meta.db_table for m in BULK_MODELS]
    with connection.cursor() as cursor:
        indexes_before = sorted(name for name, _ in secondary_indexes(cursor, tables))

    call_command("seed_scale", tickets=2000, stdout=open("/dev/null", "w"), **SMALL)  # noqa: SIM115

    assert Organization.objects.count() == 30
    assert Customer.objects.count() == 400
    assert User.objects.count() == 12
    assert Team.objects.count() == 3
    assert Ticket.objects.count() == 2000
    messages = Message.objects.count()
    assert 2.4 <= messages / 2000 <= 3.6
    open_share = Ticket.objects.filter(status__in=OPEN_STATUSES).count() / 2000
    assert 0.06 <= open_share <= 0.14
    assert Ticket.objects.filter(status=Status.CLOSED).count() > 2000 * 0.6

    # The CHECK constraints hold (PostgreSQL enforced them during COPY; asserted here too).
    assert not Ticket.objects.filter(status=Status.SOLVED, solved_at__isnull=True).exists()
    assert not Ticket.objects.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not Message.objects.filter(kind=MessageKind.NOTE, author_user__isnull=True).exists()
    assert not Message.objects.filter(
        author_user__isnull=False, author_customer__isnull=False
    ).exists()
    # Every ticket starts with its requester's message and a "created" event.
    first = Message.objects.order_by("ticket_id", "created_at", "id").distinct("ticket_id")
    assert all(
        m.author_customer_id == m.ticket.requester_id for m in first.select_related("ticket")
    )
    assert TicketEvent.objects.filter(kind="created").count() == 2000
    # Timestamps run forwards and the organization is the requester's.
    assert not Ticket.objects.filter(updated_at__lt=models_f("created_at")).exists()
    assert (
        not Ticket.objects.exclude(organization_id=models_f("requester__organization_id"))
        .filter(requester__organization__isnull=False)
        .exists()
    )
    # SLA clocks and CSAT surveys, written by SQL, carry their ticket's report keys.
    assert_ticket_keys_copied()

    # The dropped indexes and foreign keys are back, and sequences continue after the loaded ids.
    with connection.cursor() as cursor:
        # (PostgreSQL prints a rebuilt partial index's predicate in its own normal form.)
        assert sorted(name for name, _ in secondary_indexes(cursor, tables)) == indexes_before
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = "
            "'tickets_message'::regclass"
        )
        # ticket, author user, author customer, and the ticket a merged message came from
        assert cursor.fetchone()[0] == 4
    org = Organization.objects.create(name="After the load")
    assert org.pk > max(Organization.objects.exclude(pk=org.pk).values_list("pk", flat=True))


@pytest.mark.postgres
def test_seed_scale_adds_to_what_is_there(db, ticket):
    """Run on a database with data: new ids follow the existing ones, nothing collides."""
    call_command("seed_scale", tickets=50, stdout=open("/dev/null", "w"), **SMALL)  # noqa: SIM115
    assert Ticket.objects.count() == 51
    assert Ticket.objects.filter(pk=ticket.pk, subject=ticket.subject).exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)
