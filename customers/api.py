"""``/api/v1/customers`` and ``/api/v1/organizations``."""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from customers import fields as profile
from customers.models import Customer, Organization
from customers.selectors import customers_visible_to, organizations_visible_to
from customers.serializers import (
    CustomerCreateSerializer,
    CustomerFieldValuesSerializer,
    CustomerSerializer,
    OrganizationCreateSerializer,
    OrganizationFieldValuesSerializer,
    OrganizationSerializer,
)
from customers.services import customer_create, organization_create
from support.api.filters import IdFilter, UtcDateTimeFilter, ordering_filter
from support.api.schema import ID_REGEX, expand_schema
from support.api.serializers import parse_expand
from support.api.views import ApiViewMixin
from support.errors import NotFound, NotPermitted


def _field_values(request, what: str, serializer) -> dict:
    """A PATCH's field values (``CustomerFieldValuesSerializer``...), from an agent; checked by
    the service."""
    if not request.user.is_agent:
        raise NotPermitted(f"Only agents can change {what}.")
    data = serializer(data=request.data, context={"request": request})
    data.is_valid(raise_exception=True)
    return data.validated_data["fields"]


CUSTOMER_ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "id": ("id",),
    "-id": ("-id",),
}


class CustomerFilter(django_filters.FilterSet):
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")
    organization = IdFilter(field_name="organization_id")
    created_since = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    q = django_filters.CharFilter(method="search", max_length=200, help_text="Name or email")
    ordering = ordering_filter(CUSTOMER_ORDERINGS)

    class Meta:
        model = Customer
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))


EXPAND_PARAM = OpenApiParameter(
    "expand",
    expand_schema("organization"),
    description="Comma-separated related objects to embed: organization",
)


@extend_schema_view(
    list=extend_schema(parameters=[EXPAND_PARAM], summary="List customers"),
    retrieve=extend_schema(parameters=[EXPAND_PARAM], summary="Get a customer"),
    create=extend_schema(
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer},
        summary="Create a customer (agents)",
    ),
    partial_update=extend_schema(
        request=CustomerFieldValuesSerializer,
        responses={200: CustomerSerializer},
        summary="Set a customer's field values by key (agents)",
    ),
)
class CustomerViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    extra_query_params = ("expand",)
    ordering_choices = CUSTOMER_ORDERINGS
    default_ordering = "name"
    lookup_value_regex = ID_REGEX
    expand_choices = frozenset({"organization"})

    def get_queryset(self):
        return (
            customers_visible_to(self.request.user)
            .select_related("organization")
            .prefetch_related("organization__domains")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and getattr(self, "swagger_fake_view", False) is False:
            context["customer_expand"] = parse_expand(self.request, self.expand_choices)
        return context

    def create(self, request, *args, **kwargs):
        if not request.user.is_agent:
            raise NotPermitted("Only agents can create customers.")
        data = CustomerCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        field_values = values.pop("fields", None)
        organization = None
        organization_id = values.pop("organization_id")
        if organization_id is not None:
            organization = Organization.objects.filter(pk=organization_id).first()
            if organization is None:
                raise NotFound("No such organization.", field="organization_id")
        with transaction.atomic():
            customer = customer_create(organization=organization, **values)
            if field_values:
                profile.customer_set_fields(customer=customer, values=field_values, by=request.user)
        body = CustomerSerializer(customer, context=self.get_serializer_context()).data
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path.rstrip('/')}/{customer.pk}"},
        )

    def partial_update(self, request, *args, **kwargs):
        values = _field_values(request, "customers", CustomerFieldValuesSerializer)
        customer = self.get_object()
        profile.customer_set_fields(customer=customer, values=values, by=request.user)
        return Response(self.get_serializer(customer).data)


ORGANIZATION_ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
}


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)
    domain = django_filters.CharFilter(field_name="domains__domain", lookup_expr="iexact")
    ordering = ordering_filter(ORGANIZATION_ORDERINGS)

    class Meta:
        model = Organization
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List organizations"),
    retrieve=extend_schema(summary="Get an organization"),
    create=extend_schema(
        request=OrganizationCreateSerializer,
        responses={201: OrganizationSerializer},
        summary="Create an organization (agents)",
    ),
    partial_update=extend_schema(
        request=OrganizationFieldValuesSerializer,
        responses={200: OrganizationSerializer},
        summary="Set an organization's field values by key (agents)",
    ),
)
class OrganizationViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter
    ordering_choices = ORGANIZATION_ORDERINGS
    default_ordering = "name"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return organizations_visible_to(self.request.user).prefetch_related("domains")

    def create(self, request, *args, **kwargs):
        if not request.user.is_agent:
            raise NotPermitted("Only agents can create organizations.")
        data = OrganizationCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        field_values = values.pop("fields", None)
        with transaction.atomic():
            organization = organization_create(**values)
            if field_values:
                profile.organization_set_fields(
                    organization=organization, values=field_values, by=request.user
                )
        body = OrganizationSerializer(organization, context=self.get_serializer_context()).data
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path.rstrip('/')}/{organization.pk}"},
        )

    def partial_update(self, request, *args, **kwargs):
        values = _field_values(request, "organizations", OrganizationFieldValuesSerializer)
        organization = self.get_object()
        profile.organization_set_fields(organization=organization, values=values, by=request.user)
        return Response(self.get_serializer(organization).data)
