from __future__ import annotations

import functools

from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import serializers

from customers import fields as profile
from customers.models import Customer, Organization, ProfileField
from support.api.schema import schema_optional, schema_runtime_object
from support.api.serializers import (
    StrictInputSerializer,
    id_field,
    iso_datetime,
    serializing_for,
    time_zone_field,
)

Target = ProfileField.Target

# Where a list endpoint puts an organization's prefetched domains (``Prefetch(to_attr=...)``).
LISTED_DOMAINS = "listed_domains"


FIELDS_HELP = (
    "Agents only: organization or customer field values by key (GET /api/v1/organization-fields,"
    ' /api/v1/customer-fields), e.g. {"plan": "enterprise"}.'
)


class OrganizationSerializer(serializers.ModelSerializer):
    domains = serializers.SerializerMethodField()
    fields = serializers.DictField(read_only=True, help_text=FIELDS_HELP)

    class Meta:
        model = Organization
        fields = ["id", "name", "domains", "notes", "fields", "created_at"]
        read_only_fields = fields

    @cached_property
    def _hidden(self) -> frozenset[str]:
        user = serializing_for(self.context)
        if user is not None and not user.is_agent:
            # agents' private notes and field values about the organization
            return frozenset({"notes", "fields"})
        return frozenset()

    def get_fields(self):
        fields = super().get_fields()
        for name in self._hidden:
            del fields[name]
        return fields

    def get_domains(self, organization: Organization) -> list[str]:
        domains = getattr(organization, LISTED_DOMAINS, None)
        return [d.domain for d in (organization.domains.all() if domains is None else domains)]

    def to_representation(self, organization: Organization) -> dict:
        data = {
            "id": organization.pk,
            "name": organization.name,
            "domains": self.get_domains(organization),
        }
        if "notes" not in self._hidden:
            data["notes"] = organization.notes
        if "fields" not in self._hidden:
            data["fields"] = organization.fields or {}
        data["created_at"] = iso_datetime(organization.created_at, timezone.get_current_timezone())
        return data


schema_optional("Organization", "notes", "fields")


class CustomerSerializer(serializers.ModelSerializer):
    organization_id = serializers.IntegerField(allow_null=True, read_only=True)
    organization = OrganizationSerializer(read_only=True, allow_null=True)
    fields = serializers.DictField(read_only=True, help_text=FIELDS_HELP)

    class Meta:
        model = Customer
        fields = [
            "id",
            "email",
            "name",
            "phone",
            "organization_id",
            "organization",
            "is_org_manager",
            "locale",
            "time_zone",
            "notes",
            "fields",
            "created_at",
        ]
        read_only_fields = fields

    @cached_property
    def _hidden(self) -> frozenset[str]:
        user = serializing_for(self.context)
        if user is None:
            return frozenset()
        hidden = set()
        if "organization" not in self.context.get("customer_expand", ()):
            hidden.add("organization")
        if not user.is_agent:
            hidden.update(("notes", "fields"))
        return frozenset(hidden)

    def get_fields(self):
        fields = super().get_fields()
        for name in self._hidden:
            del fields[name]
        return fields

    @cached_property
    def _organization(self) -> OrganizationSerializer:
        return OrganizationSerializer(context=self.context)

    def to_representation(self, customer: Customer) -> dict:
        hidden = self._hidden
        data = {
            "id": customer.pk,
            "email": customer.email,
            "name": customer.name,
            "phone": customer.phone,
            "organization_id": customer.organization_id,
        }
        if "organization" not in hidden:
            organization = customer.organization
            data["organization"] = (
                None if organization is None else self._organization.to_representation(organization)
            )
        data["is_org_manager"] = customer.is_org_manager
        data["locale"] = customer.locale
        data["time_zone"] = customer.time_zone
        if "notes" not in hidden:
            data["notes"] = customer.notes
        if "fields" not in hidden:
            data["fields"] = customer.fields or {}
        data["created_at"] = iso_datetime(customer.created_at, timezone.get_current_timezone())
        return data


schema_optional("Customer", "organization", "notes", "fields")


class _FieldValues(serializers.DictField):
    """A ``fields`` object: its keys and value types are the target's current field
    definitions, in the served schema too (``schema_runtime_object`` below)."""

    def __init__(self, target: str, **kwargs) -> None:
        self.target = target
        super().__init__(help_text=FIELDS_HELP, **kwargs)

    def to_internal_value(self, data):
        # A bad value is the service's ValidationFailed, naming fields.<key>.
        return profile.values_strict(self.target, super().to_internal_value(data))


class CustomerCreateSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    organization_id = id_field(required=False, allow_null=True, default=None)
    locale = serializers.CharField(max_length=16, required=False, default="en")
    time_zone = time_zone_field(required=False, default="UTC")
    fields = _FieldValues(Target.CUSTOMER, required=False)


class OrganizationCreateSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    name = serializers.CharField(max_length=200)
    domains = serializers.ListField(  # an email domain has a dot (customers.services)
        child=serializers.RegexField(r"\.", max_length=253),
        required=False,
        default=list,
        max_length=50,
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    fields = _FieldValues(Target.ORGANIZATION, required=False)


class CustomerFieldValuesSerializer(StrictInputSerializer):
    """A PATCH of a customer: some field values by key (null clears one; the rest stay). A bad
    value is a 400 naming ``fields.<key>``."""

    customer_fields = frozenset()
    fields = _FieldValues(Target.CUSTOMER, required=False, default=dict)


class OrganizationFieldValuesSerializer(StrictInputSerializer):
    """A PATCH of an organization, as for a customer."""

    customer_fields = frozenset()
    fields = _FieldValues(Target.ORGANIZATION, required=False, default=dict)


for _component, _target in (
    ("CustomerCreateRequest", Target.CUSTOMER),
    ("PatchedCustomerFieldValuesRequest", Target.CUSTOMER),
    ("OrganizationCreateRequest", Target.ORGANIZATION),
    ("PatchedOrganizationFieldValuesRequest", Target.ORGANIZATION),
):
    schema_runtime_object(
        _component,
        "fields",
        functools.partial(profile.values_schema, _target),
        sources=(profile.profile_fields,),
    )
