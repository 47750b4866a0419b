"""Feedback in ``/api/v1/``: feedback items with their demand, ticket↔item links, CSAT responses.

Reads go through ``feedback.selectors``; every change calls a ``feedback.services`` function, the
same ones the pages (and the signed CSAT link) call. Items carry an ``ETag``; PATCH honours
``If-Match``.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.response import Response

from accounts.models import User
from customers.models import Customer
from customers.selectors import customers_visible_to
from products.models import Component, Product
from support.api.errors import PreconditionFailed
from support.api.filters import ChoiceInFilter, IdFilter, UtcDateTimeFilter, ordering_filter
from support.api.permissions import AgentsOnly, ApiPermission
from support.api.schema import ID_REGEX, IF_MATCH, TICKET_ID_PARAM
from support.api.views import ApiViewMixin
from support.errors import NotFound, NotPermitted, ValidationFailed
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_agent

from . import selectors, services
from .models import CsatSurvey, FeedbackItem, ItemKind, ItemStatus, Rating, TicketFeedbackLink
from .serializers import (
    CsatAnswerSerializer,
    CsatResponseSerializer,
    FeedbackItemCreateSerializer,
    FeedbackItemSerializer,
    FeedbackItemUpdateSerializer,
    FeedbackLinkCreateSerializer,
    FeedbackLinkSerializer,
)


class InsightsOnly(permissions.BasePermission):
    """Agents and product managers; customers get a 404, not a hint."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user.is_authenticated and not (user.is_agent or user.is_product_manager):
            raise exceptions.NotFound()
        return True


def item_etag(item: FeedbackItem) -> str:
    return f'"{item.pk}-{int(item.updated_at.timestamp() * 1_000_000)}"'


def _owner(pk: int | None) -> User | None:
    if pk is None:
        return None
    owner = User.objects.filter(pk=pk, is_active=True).first()
    if owner is None:
        raise NotFound("No such user.", field="owner_id")
    return owner


def _owner_field(exc: ValidationFailed) -> ValidationFailed:
    # The services name the model field; the API's input is ``owner_id``.
    if exc.field in ("owner", "product", "component"):
        exc.field = f"{exc.field}_id"
    return exc


def _catalog(values: dict) -> None:
    """``product_id``/``component_id`` in ``values`` as the service's ``product``/``component``."""
    for key, model in (("product", Product), ("component", Component)):
        if f"{key}_id" in values:
            pk = values.pop(f"{key}_id")
            found = None if pk is None else model.objects.filter(pk=pk).first()
            if pk is not None and found is None:
                raise NotFound(f"No such {key}: {pk}.", field=f"{key}_id")
            values[key] = found


# --- feedback items -------------------------------------------------------------------------

ITEM_ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-demand": ("-demand", "-id"),
    "title": ("title", "id"),
}


class FeedbackItemFilter(django_filters.FilterSet):
    status = ChoiceInFilter(choices=ItemStatus.choices, help_text="One or more, comma-separated.")
    kind = ChoiceInFilter(choices=ItemKind.choices, help_text="One or more, comma-separated.")
    area = django_filters.CharFilter(field_name="area", lookup_expr="iexact", max_length=64)
    product = IdFilter(field_name="product_id", help_text="Product id.")
    component = IdFilter(field_name="component_id", help_text="Product component id.")
    owner = IdFilter(field_name="owner_id", help_text="Product manager's user id.")
    q = django_filters.CharFilter(
        method="search", max_length=200, help_text="Text in the title or description."
    )
    ordering = ordering_filter(ITEM_ORDERINGS)

    class Meta:
        model = FeedbackItem
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(services.item_search_filter(value))


@extend_schema_view(
    list=extend_schema(
        summary="List feedback items with their demand",
        description="Active items (duplicates merged into another are left out), each with "
        "the number of linked tickets, distinct customers and organizations.",
    ),
)
class FeedbackItemViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FeedbackItemSerializer
    filterset_class = FeedbackItemFilter
    permission_classes = [ApiPermission, InsightsOnly]
    ordering_choices = ITEM_ORDERINGS
    default_ordering = "-created_at"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FeedbackItem.objects.none()
        # A merged duplicate can still be fetched by id (it says where it went).
        return selectors.items_with_demand(self.request.user, include_merged=self.action != "list")

    def _respond(self, item: FeedbackItem, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        response = Response(self.get_serializer(fresh).data, status=code)
        response["ETag"] = item_etag(fresh)
        if code == status.HTTP_201_CREATED:
            response["Location"] = f"/api/v1/feedback-items/{fresh.pk}"
        return response

    @extend_schema(summary="Get a feedback item with its demand")
    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    @extend_schema(
        summary="Create a feedback item",
        request=FeedbackItemCreateSerializer,
        responses={201: FeedbackItemSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = FeedbackItemCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            _catalog(values)
            item = services.feedback_item_create(
                title=values["title"],
                description=values["description"],
                kind=values["kind"],
                area=values["area"],
                product=values["product"],
                component=values["component"],
                owner=_owner(values["owner_id"]),
                by=request.user,
            )
        except ValidationFailed as exc:
            raise _owner_field(exc) from None
        return self._respond(item, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a feedback item",
        request=FeedbackItemUpdateSerializer,
        responses={200: FeedbackItemSerializer},
        parameters=[IF_MATCH],
        description="Send only the fields to change. `status` and `public_note` are for "
        "product managers and admins; a status change is announced to `feedback."
        "item_status_changed` webhooks.",
    )
    def partial_update(self, request, *args, **kwargs):
        data = FeedbackItemUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        with transaction.atomic():
            item = self.get_object()
            item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
            self._check_if_match(item)
            wanted_status = values.pop("status", None)
            public_note = values.pop("public_note", None)
            if "owner_id" in values:
                values["owner"] = _owner(values.pop("owner_id"))
            try:
                _catalog(values)
                if values:
                    services.feedback_item_update(item=item, by=request.user, **values)
                if wanted_status is not None or public_note is not None:
                    services.feedback_item_change_status(
                        item=item,
                        status=wanted_status or item.status,
                        public_note=public_note,
                        by=request.user,
                    )
            except ValidationFailed as exc:
                raise _owner_field(exc) from None
        return self._respond(item)

    def _check_if_match(self, item: FeedbackItem) -> None:
        header = self.request.headers.get("If-Match")
        if header and header.strip() != "*":
            wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
            if item_etag(item) not in wanted:
                current = self.get_serializer(self.get_queryset().get(pk=item.pk)).data
                raise PreconditionFailed(current=current, etag=item_etag(item))


# --- ticket ↔ item links --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List a ticket's feedback links (agents)", parameters=[TICKET_ID_PARAM]
    ),
)
class TicketFeedbackLinkViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The feedback items a ticket is evidence for."""

    serializer_class = FeedbackLinkSerializer
    permission_classes = [ApiPermission, AgentsOnly]
    ordering_choices = {"created_at": ("created_at", "id")}
    default_ordering = "created_at"

    def get_ticket(self) -> Ticket:
        return ticket_get_for_agent(agent=self.request.user, ticket_id=self.kwargs["ticket_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TicketFeedbackLink.objects.none()
        return selectors.links_for_ticket(self.get_ticket())

    @extend_schema(
        summary="Link a ticket to a feedback item (agents)",
        parameters=[TICKET_ID_PARAM],
        request=FeedbackLinkCreateSerializer,
        responses={201: FeedbackLinkSerializer},
        description="The link stands for the ticket's requester unless `customer_id` names "
        "another customer. 409 if the ticket is already linked to the item.",
    )
    def create(self, request, *args, **kwargs):
        ticket = self.get_ticket()
        data = FeedbackLinkCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        item = FeedbackItem.objects.filter(pk=values["item_id"]).first()
        if item is None:
            raise NotFound("No such feedback item.", field="item_id")
        customer = None
        if values["customer_id"] is not None:
            customer = customers_visible_to(request.user).filter(pk=values["customer_id"]).first()
            if customer is None:
                raise NotFound("No such customer.", field="customer_id")
        link = services.feedback_link_create(
            ticket=ticket,
            item=item,
            customer=customer,
            importance=values["importance"],
            quote=values["quote"],
            by=request.user,
        )
        return Response(
            self.get_serializer(link).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/tickets/{ticket.pk}/feedback-links/{link.pk}"},
        )

    @extend_schema(
        summary="Remove a ticket's feedback link (agents)",
        parameters=[TICKET_ID_PARAM, OpenApiParameter("link_id", int, OpenApiParameter.PATH)],
        responses={204: None},
    )
    def destroy(self, request, *args, **kwargs):
        link = self.get_queryset().filter(pk=self.kwargs["link_id"]).first()
        if link is None:
            raise NotFound("No such link.")
        services.feedback_link_delete(link=link, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- CSAT -----------------------------------------------------------------------------------

CSAT_ORDERINGS = {
    "-answered_at": ("-answered_at", "-id"),
    "answered_at": ("answered_at", "id"),
}


class CsatResponseFilter(django_filters.FilterSet):
    rating = django_filters.ChoiceFilter(choices=Rating.choices)
    ticket = IdFilter(field_name="ticket_id")
    answered_since = UtcDateTimeFilter(
        field_name="answered_at", lookup_expr="gte", help_text="ISO 8601; answered at or after."
    )
    ordering = ordering_filter(CSAT_ORDERINGS)

    class Meta:
        model = CsatSurvey
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List CSAT responses (agents, product managers)"),
    retrieve=extend_schema(summary="Get a CSAT response (agents, product managers)"),
)
class CsatResponseViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Answered surveys: agents see those of tickets they can see; product managers all."""

    serializer_class = CsatResponseSerializer
    filterset_class = CsatResponseFilter
    permission_classes = [ApiPermission, InsightsOnly]
    ordering_choices = CSAT_ORDERINGS
    default_ordering = "-answered_at"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CsatSurvey.objects.none()
        return selectors.csat_responses_visible_to(self.request.user)


class TicketCsatViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """One ticket's survey: its customer reads and answers it; agents read it."""

    serializer_class = CsatResponseSerializer
    pagination_class = None

    def _survey(self) -> CsatSurvey:
        self.filter_queryset(CsatSurvey.objects.none())  # refuses unknown query parameters
        user, ticket_id = self.request.user, self.kwargs["ticket_id"]
        if user.is_agent:
            ticket = ticket_get_for_agent(agent=user, ticket_id=ticket_id)
            survey = selectors.csat_for_ticket(ticket)
            if survey is None:
                raise NotFound("This ticket has no survey.")
            return survey
        if user.is_customer:
            return selectors.csat_get_for_customer(user=user, ticket_id=ticket_id)
        raise NotFound("No such ticket.")

    @extend_schema(summary="Get a ticket's CSAT survey", parameters=[TICKET_ID_PARAM])
    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self._survey()).data)

    @extend_schema(
        summary="Rate your solved ticket (customers)",
        parameters=[TICKET_ID_PARAM],
        request=CsatAnswerSerializer,
        responses={200: CsatResponseSerializer},
        description="Records or changes the rating and comment of the survey you were sent, "
        "as the mailed link does. The first answer needs a rating.",
    )
    def answer(self, request, *args, **kwargs):
        if not request.user.is_customer:
            raise NotPermitted("Only the customer who was asked can rate this ticket.")
        data = CsatAnswerSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        survey = services.csat_survey_answer(
            survey=self._survey(),
            rating=data.validated_data.get("rating"),
            comment=data.validated_data.get("comment"),
            by=_customer_of(request.user),
        )
        return Response(self.get_serializer(survey).data)


def _customer_of(user: User) -> Customer:
    customer = getattr(user, "customer", None)
    if customer is None:
        raise NotPermitted("This login has no customer contact.")
    return customer
