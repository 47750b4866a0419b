"""Reads of customers and organizations, with the permission check built in."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from customers.models import Customer, CustomerEvent, Organization


def customers_visible_to(user: User) -> QuerySet[Customer]:
    """Agents see every contact; a customer sees themselves, an org manager their organization."""
    customers = Customer.objects.all()
    if not user.is_active:
        return customers.none()
    if user.is_agent:
        return customers
    me = getattr(user, "customer", None)
    if me is None:
        return customers.none()
    mine = Q(pk=me.pk)
    if me.is_org_manager and me.organization_id:
        mine |= Q(organization_id=me.organization_id)
    return customers.filter(mine)


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Agents see every organization; a customer sees only their own."""
    organizations = Organization.objects.all()
    if not user.is_active:
        return organizations.none()
    if user.is_agent:
        return organizations
    me = getattr(user, "customer", None)
    if me is None or me.organization_id is None:
        return organizations.none()
    return organizations.filter(pk=me.organization_id)


def customer_locale_changes(customer: Customer, *, limit: int = 5) -> list[CustomerEvent]:
    """The contact's latest language changes, newest first (the profile page)."""
    return list(
        CustomerEvent.objects.filter(customer=customer, kind=CustomerEvent.Kind.LOCALE_CHANGED)
        .select_related("by")
        .order_by("-at", "-id")[:limit]
    )
