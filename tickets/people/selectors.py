"""Reads for the agent's customer and organization pages: who they are, their tickets (keyset
pages over the requester/organization indexes), members, merge candidates."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from customers.models import Customer, Organization, OrganizationDomain
from customers.selectors import customers_visible_to, organizations_visible_to
from support.errors import NotFound
from tickets.models import Message, Ticket
from tickets.workspace import queues

PAGE_SIZE = 25
MEMBERS_SHOWN = 50
MATCHES = 10


def customer_get_for_agent(*, agent: User, customer_id: int) -> Customer:
    customer = (
        customers_visible_to(agent)
        .select_related("organization", "user", "merged_into")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None or not agent.is_agent:
        raise NotFound(_("No such contact."))
    return customer


def organization_get_for_agent(*, agent: User, organization_id: int) -> Organization:
    organization = organizations_visible_to(agent).filter(pk=organization_id).first()
    if organization is None or not agent.is_agent:
        raise NotFound(_("No such organization."))
    return organization


def tickets_page(*, agent: User, cursor: str | None, before: str | None, **filters) -> queues.Page:
    """One page of the tickets ``agent`` may see matching ``filters`` (``requester`` or
    ``organization``), most recently updated first."""
    tickets = queues.visible_tickets(agent).filter(**filters)
    return queues.page_of(tickets, sort="-updated", cursor=cursor, before=before, size=PAGE_SIZE)


def organization_members(organization: Organization) -> tuple[list[Customer], int]:
    """The first :data:`MEMBERS_SHOWN` contacts by name, and how many there are."""
    members = organization.customers.filter(merged_into__isnull=True)
    shown = list(
        members.only(
            "id", "name", "email", "is_org_manager", "user_id", "organization_id"
        ).order_by("name", "email")[:MEMBERS_SHOWN]
    )
    total = len(shown) if len(shown) < MEMBERS_SHOWN else members.count()
    return shown, total


@dataclass
class CustomerMergePreview:
    source: Customer
    target: Customer
    tickets: int
    messages: int
    login_moves: bool


def customer_merge_preview(*, source: Customer, target: Customer) -> CustomerMergePreview:
    return CustomerMergePreview(
        source=source,
        target=target,
        tickets=Ticket.objects.filter(requester=source).count(),
        messages=Message.objects.filter(author_customer=source).count(),
        login_moves=bool(source.user_id and not target.user_id),
    )


def customer_matches(*, agent: User, text: str, exclude: int | None = None) -> list[Customer]:
    """Contacts whose name or address contains ``text`` (merged ones left out), with their
    ticket counts."""
    text = text.strip()
    if len(text) < 2:
        return []
    found = (
        customers_visible_to(agent)
        .filter(merged_into__isnull=True)
        .filter(Q(name__icontains=text) | Q(email__icontains=text))
    )
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return list(
        found.select_related("organization")
        .only("id", "name", "email", "organization__id", "organization__name")
        .order_by("name", "email")[:MATCHES]
    )


def organization_matches(*, agent: User, text: str) -> list[Organization]:
    text = text.strip()
    if len(text) < 2:
        return []
    # The domain match as a subquery, not a join: each side of the OR can then use its trigram
    # index on PostgreSQL (customers/migrations/0002), and no row is repeated per domain.
    by_domain = OrganizationDomain.objects.filter(domain__icontains=text).values("organization_id")
    members = (
        Customer.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        organizations_visible_to(agent)
        .filter(Q(name__icontains=text) | Q(pk__in=by_domain))
        # Counted per organization shown (a subquery), not by joining every contact first.
        .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .order_by("name")[:MATCHES]
    )
