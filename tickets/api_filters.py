"""The ticket list's query parameters (``GET /api/v1/tickets``): the declared filters, and
``?field.<key>=<value>`` for custom fields (``tickets.fields``)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import exceptions

from support.api.filters import ChoiceInFilter, IdFilter, UtcDateTimeFilter, ordering_filter
from support.errors import DomainError
from tickets.fields.filters import fields_q
from tickets.models import Channel, Priority, Status, Ticket, TicketType

TICKET_ORDERINGS = {
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-id": ("-id",),
    "id": ("id",),
}
# A customer's ``updated_at`` is the last change they can see (``public_updated_at``): their
# list sorts and filters by it, so an internal note doesn't move a ticket up their list.
CUSTOMER_TICKET_ORDERINGS = {
    **TICKET_ORDERINGS,
    "-updated_at": ("-public_updated_at", "-id"),
    "updated_at": ("public_updated_at", "id"),
}
AGENT_ONLY_FILTERS = ("assignee", "team", "tag", "unassigned")


class TicketFilter(django_filters.FilterSet):
    status = ChoiceInFilter(choices=Status.choices, help_text="One or more, comma-separated.")
    priority = ChoiceInFilter(choices=Priority.choices, help_text="One or more, comma-separated.")
    type = ChoiceInFilter(choices=TicketType.choices, help_text="One or more, comma-separated.")
    channel = ChoiceInFilter(choices=Channel.choices, help_text="One or more, comma-separated.")
    assignee = IdFilter(field_name="assignee_id", help_text="Agent id (agents only).")
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", help_text="Agents only."
    )
    team = IdFilter(field_name="team_id", help_text="Team id (agents only).")
    product = IdFilter(field_name="product_id", help_text="Product id.")
    version = IdFilter(field_name="version_id", help_text="Product version id.")
    component = IdFilter(field_name="component_id", help_text="Product component id.")
    requester = IdFilter(field_name="requester_id")
    organization = IdFilter(field_name="organization_id")
    tag = django_filters.CharFilter(
        field_name="tags__name", max_length=64, help_text="Tag name (agents only)."
    )
    updated_since = UtcDateTimeFilter(
        method="filter_updated_since", help_text="ISO 8601; changed at or after."
    )
    created_since = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="ISO 8601; created at or after."
    )
    q = django_filters.CharFilter(
        method="search", max_length=200, help_text="Text in the subject, or a ticket number."
    )
    ordering = ordering_filter(TICKET_ORDERINGS)

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_updated_since(self, queryset, name, value):
        agent = getattr(getattr(self.request, "user", None), "is_agent", False)
        return queryset.filter(**{"updated_at__gte" if agent else "public_updated_at__gte": value})

    def search(self, queryset, name, value):
        value = value.strip().lstrip("#")
        match = Q(subject__icontains=value)
        if value.isdecimal() and len(value) <= 18:
            match |= Q(pk=int(value))
        return queryset.filter(match)


def custom_field_filter(queryset: QuerySet[Ticket], params, *, customer: bool) -> QuerySet[Ticket]:
    """``?field.browser=chrome``: tickets whose field has that value (read as the field's kind:
    ``?field.seats=5``, ``?field.vip=true``; a multiple-choice field, tickets whose list holds
    the value; repeated, any of the values; empty, no value). An unknown field, one a customer
    may not see, a long-text field or a value of the wrong kind is a 400 naming the parameter
    (``tickets.fields.filters``)."""
    try:
        return queryset.filter(fields_q(params, customer=customer))
    except DomainError as exc:
        raise exceptions.ValidationError({exc.field: [exc.message]}) from None
