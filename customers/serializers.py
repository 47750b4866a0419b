from __future__ import annotations

from rest_framework import serializers

from customers.models import Customer, Organization
from support.api.schema import schema_optional
from support.api.serializers import FastReadMixin, StrictInputSerializer, id_field, serializing_for

# Where a list endpoint puts an organization's prefetched domains (``Prefetch(to_attr=...)``).
LISTED_DOMAINS = "listed_domains"


class OrganizationSerializer(FastReadMixin, serializers.ModelSerializer):
    domains = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "domains", "notes", "created_at"]
        read_only_fields = fields

    def get_domains(self, organization: Organization) -> list[str]:
        domains = getattr(organization, LISTED_DOMAINS, None)
        return [d.domain for d in (organization.domains.all() if domains is None else domains)]

    def get_fields(self):
        fields = super().get_fields()
        user = serializing_for(self.context)
        if user is not None and not user.is_agent:
            fields.pop("notes")  # agents' private notes about the organization
        return fields


schema_optional("Organization", "notes")


class CustomerSerializer(FastReadMixin, serializers.ModelSerializer):
    organization_id = serializers.IntegerField(allow_null=True, read_only=True)
    organization = OrganizationSerializer(read_only=True, allow_null=True)

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
            "created_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        # Decided before serializing, so what isn't shown isn't loaded either.
        fields = super().get_fields()
        user = serializing_for(self.context)
        if user is not None:
            if "organization" not in self.context.get("customer_expand", ()):
                fields.pop("organization")
            if not user.is_agent:
                fields.pop("notes")
        return fields


schema_optional("Customer", "organization", "notes")


class CustomerCreateSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    email = serializers.EmailField(max_length=254)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    organization_id = id_field(required=False, allow_null=True, default=None)
    locale = serializers.CharField(max_length=16, required=False, default="en")
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC")


class OrganizationCreateSerializer(StrictInputSerializer):
    customer_fields = frozenset()
    name = serializers.CharField(max_length=200)
    domains = serializers.ListField(
        child=serializers.CharField(max_length=253), required=False, default=list, max_length=50
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
