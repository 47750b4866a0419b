"""The ticket resources: tickets, their messages, attachments and tags under ``/api/v1/``.

Reads go through ``tickets.selectors``; every change calls a ``tickets.services`` function, the
same ones the pages call. Ticket responses carry an ``ETag``; writes honour ``If-Match``.
"""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiRequest,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Team, User
from customers.models import Customer
from customers.selectors import customers_visible_to
from customers.serializers import LISTED_DOMAINS
from products.models import Component, Product, Version
from support.api.errors import PayloadTooLarge, PreconditionFailed
from support.api.filters import UtcDateTimeFilter, ordering_filter
from support.api.permissions import AgentsOnly, ApiPermission
from support.api.schema import ID_REGEX, IDEMPOTENCY, IF_MATCH, TICKET_ID_PARAM, expand_schema
from support.api.serializers import parse_expand
from support.api.views import ApiViewMixin
from support.errors import InvalidChange, NotFound, NotPermitted, ValidationFailed
from tickets import services
from tickets.api_filters import (
    AGENT_ONLY_FILTERS,
    CUSTOMER_TICKET_ORDERINGS,
    TICKET_ORDERINGS,
    TicketFilter,
    custom_field_filter,
)
from tickets.fields.models import TicketForm
from tickets.message_serializers import (
    MessageCreateJsonSerializer,
    MessageCreateSerializer,
    MessageSerializer,
)
from tickets.models import (
    Channel,
    Message,
    MessageKind,
    Tag,
    Ticket,
)
from tickets.selectors import messages_visible_to, tickets_visible_to
from tickets.serializers import (
    EXPANDABLE,
    LISTED_TAGS,
    TagSerializer,
    TicketAssignSerializer,
    TicketCreateJsonSerializer,
    TicketCreateSerializer,
    TicketMergeSerializer,
    TicketSerializer,
    TicketStatusSerializer,
    TicketUpdateSerializer,
)
from tickets.sla.models import SlaTarget
from tickets.sla.selectors import tickets_with_sla_clock
from tickets.sla.serializers import LISTED_SLA_TARGETS

Actor = User | Customer


def actor_for(user: User) -> Actor:
    """Who a change is made by: an agent acts as themself, a customer through their contact."""
    if user.is_agent:
        return user
    customer = getattr(user, "customer", None)
    if customer is None:
        raise NotPermitted("This login has no customer contact.")
    return customer


def ticket_etag(ticket: Ticket, *, public: bool = False) -> str:
    """For a customer (``public``), the time of the last change they can see: an internal note
    or an assignment changes nothing they read, so their ETag stays."""
    stamp = ticket.public_updated_at if public else ticket.updated_at
    return f'"{ticket.pk}-{int(stamp.timestamp() * 1_000_000)}"'


def _check_files(files) -> None:
    limit = settings.ATTACHMENT_MAX_BYTES
    for upload in files:
        if upload.size > limit:
            raise PayloadTooLarge(
                f"{upload.name} is {upload.size} bytes; attachments can be at most {limit} bytes."
            )


def _lookup(model, pk, field: str, queryset=None):
    if pk is None:
        return None
    found = (queryset if queryset is not None else model.objects.all()).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No such {model._meta.verbose_name}.", field=field)
    return found


@contextmanager
def _product_fields():
    """The catalog's (and the form's) refusals name the API's fields (``version`` →
    ``version_id``)."""
    try:
        yield
    except (ValidationFailed, InvalidChange) as exc:
        if exc.field in ("product", "version", "component", "form"):
            exc.field = f"{exc.field}_id"
        raise


def _product_values(values: dict) -> dict:
    """``product_id``/``version_id``/``component_id`` in ``values`` as the service's objects."""
    found = {}
    for key, model in (("product", Product), ("version", Version), ("component", Component)):
        if f"{key}_id" in values:
            found[key] = _lookup(model, values[f"{key}_id"], f"{key}_id")
    return found


def _agent_by_id(pk, field: str) -> User | None:
    return _lookup(User, pk, field, User.objects.filter(role__in=["admin", "agent"]))


# --- tickets --------------------------------------------------------------------------------

EXPAND_PARAM = OpenApiParameter(
    "expand",
    expand_schema("requester", "organization"),
    description="Comma-separated related objects to embed: requester, organization",
    examples=[OpenApiExample("both", value="requester,organization")],
)
CREATE_EXAMPLE = OpenApiExample(
    "File a ticket for a customer",
    value={
        "requester_id": 42,
        "subject": "Invoice 1043 charged twice",
        "body": "Hello, my card was charged twice for invoice 1043.",
        "priority": "high",
        "tags": ["billing"],
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="List tickets", parameters=[EXPAND_PARAM]),
    retrieve=extend_schema(summary="Get a ticket", parameters=[EXPAND_PARAM]),
)
class TicketViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    extra_query_prefixes = ("field.",)
    extra_query_params = ("expand",)
    default_ordering = "-updated_at"
    lookup_value_regex = ID_REGEX
    parser_classes = [JSONParser, MultiPartParser]

    @property
    def ordering_choices(self) -> dict[str, tuple[str, ...]]:
        user = getattr(self.request, "user", None)
        customer = user is not None and user.is_authenticated and not user.is_agent
        return CUSTOMER_TICKET_ORDERINGS if customer else TICKET_ORDERINGS

    def get_parsers(self):
        # Files come only with a new ticket; every other write is JSON, as the schema says.
        action = getattr(self, "action", None)
        creating = action == "create" if action else "pk" not in getattr(self, "kwargs", {})
        return super().get_parsers() if creating else [JSONParser()]

    def get_queryset(self):
        tickets = tickets_visible_to(self.request.user).select_related("requester", "organization")
        # Prefetched into plain lists (``to_attr``): Django then sets one attribute per row
        # instead of building a filtered related manager and queryset per row and lookup.
        tickets = tickets.prefetch_related(
            Prefetch("tags", queryset=Tag.objects.only("id", "name"), to_attr=LISTED_TAGS),
            Prefetch("organization__domains", to_attr=LISTED_DOMAINS),
        )
        if not getattr(self, "swagger_fake_view", False) and self.request.user.is_agent:
            # The agent-only ``sla`` object: annotations, one join and one prefetch per page.
            tickets = tickets_with_sla_clock(tickets).select_related("sla")
            tickets = tickets.prefetch_related(
                Prefetch(
                    "sla_targets",
                    queryset=SlaTarget.objects.order_by("started_at", "id"),
                    to_attr=LISTED_SLA_TARGETS,
                )
            )
        if "requester" in self._expand():
            tickets = tickets.select_related("requester__organization")
        return tickets

    def _expand(self) -> frozenset[str]:
        if getattr(self, "swagger_fake_view", False):
            return frozenset()
        return parse_expand(self.request, frozenset(EXPANDABLE))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "expand": self._expand()}

    def filter_queryset(self, queryset):
        if self.action == "list" and not self.request.user.is_agent:
            used = sorted(set(self.request.query_params) & set(AGENT_ONLY_FILTERS))
            if used:
                raise exceptions.ValidationError(
                    {name: ["Only agents can filter on this."] for name in used}
                )
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        customer = not self.request.user.is_agent
        return custom_field_filter(queryset, self.request.query_params, customer=customer)

    def _respond(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        # The caller may have just moved it out of their own reach (a ticket filed without a team,
        # a reassignment): they still get the result of their change.
        fresh = self.get_queryset().filter(pk=ticket.pk).first()
        if fresh is None:
            ticket.refresh_from_db()
            fresh = ticket
        return self._answer(fresh, code)

    def _etag(self, ticket: Ticket) -> str:
        return ticket_etag(ticket, public=not self.request.user.is_agent)

    def _answer(self, ticket: Ticket, code: int, *, written=None) -> Response:
        """``written``: what ``ticket_create`` wrote beside the ticket (``as_created``), shown as
        written instead of read back."""
        context = self.get_serializer_context()
        if written is not None:
            context["written"] = written
        response = Response(self.get_serializer(ticket, context=context).data, status=code)
        response["ETag"] = self._etag(ticket)
        if code == status.HTTP_201_CREATED:
            response["Location"] = f"/api/v1/tickets/{ticket.pk}"
        return response

    def _locked_for_write(self) -> Ticket:
        """The ticket, row-locked for this transaction, after the ``If-Match`` check."""
        ticket = self.get_object()
        Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        ticket.refresh_from_db()
        header = self.request.headers.get("If-Match")
        if header and header.strip() != "*":
            wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
            if self._etag(ticket) not in wanted:
                raise PreconditionFailed(
                    current=self.get_serializer(ticket).data, etag=self._etag(ticket)
                )
        return ticket

    @extend_schema(summary="Get a ticket", parameters=[EXPAND_PARAM])
    def retrieve(self, request, *args, **kwargs):
        ticket = self.get_object()
        etag = self._etag(ticket)
        seen = {
            tag.strip().removeprefix("W/")
            for tag in request.headers.get("If-None-Match", "").split(",")
        }
        if etag in seen:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return self._respond(ticket)

    @extend_schema(
        summary="Create a ticket",
        request={
            "application/json": TicketCreateJsonSerializer,
            # One part per field; a list (tags, cc, attachments) one part per item; the custom
            # field values one part holding their JSON object.
            "multipart/form-data": OpenApiRequest(
                TicketCreateSerializer, encoding={"fields": {"contentType": "application/json"}}
            ),
        },
        parameters=[IDEMPOTENCY, EXPAND_PARAM],
        responses={201: TicketSerializer},
        examples=[CREATE_EXAMPLE],
        description="Agents name the requester (requester_id); a customer files in their own "
        "name and sends only what a customer may (the schema served to a customer's token says "
        "which). Attach files with multipart/form-data: one 'attachments' part per file.",
    )
    def create(self, request, *args, **kwargs):
        multipart = request.content_type.startswith("multipart/")
        serializer = TicketCreateSerializer if multipart else TicketCreateJsonSerializer
        data = serializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = {"attachments": [], **data.validated_data}
        _check_files(values["attachments"])
        actor = actor_for(request.user)
        if isinstance(actor, Customer):
            requester = actor
        else:
            requester = _lookup(
                Customer,
                values["requester_id"],
                "requester_id",
                customers_visible_to(request.user),
            )
        with _product_fields():
            ticket = self._create(request, requester, actor, values)
        if self._expand():
            return self._respond(ticket, status.HTTP_201_CREATED)
        # Shown from what the service wrote (tags, SLA match and clocks): no read back.
        # Expanded objects (requester, organization) still read it back.
        return self._answer(ticket, status.HTTP_201_CREATED, written=ticket.as_created)

    @staticmethod
    def _create(request, requester: Customer, actor, values: dict) -> Ticket:
        return services.ticket_create(
            requester=requester,
            subject=values["subject"],
            body=values["body"],
            body_html=values["body_html"],
            by=actor,
            channel=values["channel"] if isinstance(actor, User) else Channel.API,
            priority=values["priority"],
            type=values["type"],
            team=_lookup(Team, values["team_id"], "team_id"),
            assignee=_agent_by_id(values["assignee_id"], "assignee_id"),
            tags=values["tags"],
            attachments=values["attachments"],
            cc=values["cc"],
            **_product_values(values),
            fields=values.get("fields") or {},
            form=_lookup(TicketForm, values.get("form_id"), "form_id"),
        )

    @extend_schema(
        summary="Change a ticket",
        request=TicketUpdateSerializer,
        parameters=[IF_MATCH, EXPAND_PARAM],
        description="Send only the fields to change. Customers may only set status "
        "(solved, or open to reopen a solved ticket).",
    )
    def partial_update(self, request, *args, **kwargs):
        data = TicketUpdateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        changes = self._changes(data.validated_data)
        actor = actor_for(request.user)
        with transaction.atomic(), _product_fields():
            ticket = self._locked_for_write()
            services.ticket_update(ticket=ticket, by=actor, changes=changes)
        return self._respond(ticket)

    @staticmethod
    def _changes(values: dict) -> services.TicketChanges:
        """The request's fields as the service's changes (ids looked up, unknown ids refused)."""
        changes: services.TicketChanges = {
            field: values[field]
            for field in ("subject", "status", "priority", "type", "tags", "cc")
            if field in values
        }
        if "team_id" in values:
            changes["team"] = _lookup(Team, values["team_id"], "team_id")
        if "assignee_id" in values:
            changes["assignee"] = _agent_by_id(values["assignee_id"], "assignee_id")
        changes.update(_product_values(values))
        if "form_id" in values:
            changes["form"] = _lookup(TicketForm, values["form_id"], "form_id")
        if "fields" in values:
            changes["fields"] = values["fields"]
        return changes

    @extend_schema(
        summary="Change a ticket's status",
        request=TicketStatusSerializer,
        responses={200: TicketSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        data = TicketStatusSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        actor = actor_for(request.user)
        with transaction.atomic():
            ticket = self._locked_for_write()
            services.ticket_change_status(
                ticket=ticket, status=data.validated_data["status"], by=actor
            )
        return self._respond(ticket)

    @extend_schema(
        summary="Assign a ticket (agents)",
        request=TicketAssignSerializer,
        responses={200: TicketSerializer},
        parameters=[IF_MATCH],
        description="Set the assignee, the team, or both; null clears one.",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = TicketAssignSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        actor = actor_for(request.user)
        with transaction.atomic():
            ticket = self._locked_for_write()
            services.ticket_update(
                ticket=ticket, by=actor, changes=self._changes(data.validated_data)
            )
        return self._respond(ticket)

    @extend_schema(
        summary="Merge a ticket into another (agents)",
        request=TicketMergeSerializer,
        responses={200: TicketSerializer},
        parameters=[IF_MATCH, IDEMPOTENCY],
        description="Folds this ticket into `into_id` (public messages are copied, this ticket "
        "is solved and points there). Answers with the ticket merged into. 409 if the merge "
        "isn't possible (into itself, already merged, target closed, or different requesters "
        "without `other_requester: true`).",
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        if not request.user.is_agent:
            raise NotPermitted("Only agents can merge tickets.")
        data = TicketMergeSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        into_id = data.validated_data["into_id"]
        with transaction.atomic():
            source = self._locked_for_write()
            target = tickets_visible_to(request.user).filter(pk=into_id).first()
            if target is None:
                raise NotFound("No such ticket to merge into.", field="into_id")
            target = services.ticket_merge(
                source=source,
                target=target,
                by=request.user,
                other_requester=data.validated_data["other_requester"],
            )
        return self._respond(target)


# --- messages -------------------------------------------------------------------------------

MESSAGE_ORDERINGS = {"created_at": ("created_at", "id"), "-created_at": ("-created_at", "-id")}


class MessageFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MessageKind.choices)
    created_since = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    ordering = ordering_filter(MESSAGE_ORDERINGS)

    class Meta:
        model = Message
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List a ticket's messages", parameters=[TICKET_ID_PARAM]),
)
class TicketMessageViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """A ticket's conversation. Customers see public replies only."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter
    ordering_choices = MESSAGE_ORDERINGS
    default_ordering = "created_at"
    parser_classes = [JSONParser, MultiPartParser]

    def get_ticket(self) -> Ticket:
        ticket = tickets_visible_to(self.request.user).filter(pk=self.kwargs["ticket_id"]).first()
        if ticket is None:
            raise NotFound("No such ticket.")
        return ticket

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return messages_visible_to(user=self.request.user, ticket=self.get_ticket())

    @extend_schema(
        summary="Add a reply or an internal note",
        parameters=[TICKET_ID_PARAM, IDEMPOTENCY],
        request={
            "application/json": MessageCreateJsonSerializer,
            "multipart/form-data": MessageCreateSerializer,
        },
        responses={201: MessageSerializer},
        description="kind=reply (public, default) or note (agents only). Attach files by "
        "sending multipart/form-data with one or more 'attachments' parts.",
    )
    def create(self, request, *args, **kwargs):
        ticket = self.get_ticket()
        multipart = request.content_type.startswith("multipart/")
        serializer = MessageCreateSerializer if multipart else MessageCreateJsonSerializer
        data = serializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = {"attachments": [], **data.validated_data}
        _check_files(values["attachments"])
        actor = actor_for(request.user)
        if values["kind"] == MessageKind.NOTE:
            message = services.ticket_note(
                ticket=ticket, body=values["body"], by=actor, attachments=values["attachments"]
            )
        else:
            message = services.ticket_reply(
                ticket=ticket,
                body=values["body"],
                body_html=values["body_html"],
                by=actor,
                status=values.get("status"),
                channel=Channel.API,
                attachments=values["attachments"],
            )
        context = self.get_serializer_context()
        if values["attachments"]:
            message = self.get_queryset().get(pk=message.pk)  # with the attachments as stored
        else:
            # Shown as written (author loaded, nothing uploaded so nothing attached): no read back.
            context["written_attachments"] = []
        return Response(
            self.get_serializer(message, context=context).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/tickets/{ticket.pk}/messages"},
        )


# --- tags -----------------------------------------------------------------------------------


class TagFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="istartswith", max_length=64)

    class Meta:
        model = Tag
        fields: list[str] = []


@extend_schema_view(list=extend_schema(summary="List tags (agents)"))
class TagViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = TagSerializer
    filterset_class = TagFilter
    permission_classes = [ApiPermission, AgentsOnly]
    ordering_choices = {"name": ("name", "id")}
    default_ordering = "name"
    queryset = Tag.objects.all()
