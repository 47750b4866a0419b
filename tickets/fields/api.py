"""``/api/v1/ticket-forms``: the forms a caller may file through, with their fields in order,
so an API client knows which ``fields`` keys to send with ``form_id`` (read-only: admins
define forms on their pages)."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from support.api.permissions import ApiPermission
from support.api.views import ApiViewMixin
from tickets.fields.models import TicketForm, TicketFormField
from tickets.fields.ticket_forms import form_items, key_label


class TicketFormItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A custom field's key, or product/version/component.")
    label = serializers.CharField()
    help_text = serializers.CharField()
    required = serializers.BooleanField(help_text="A customer filing through it must fill it in.")


class TicketFormSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    # Named apart: ``get_fields`` is the serializer's own method.
    fields = serializers.SerializerMethodField(method_name="fields_of")

    class Meta:
        model = TicketForm
        fields = ["id", "name", "description", "active", "customer_visible", "fields"]
        read_only_fields = fields

    @property
    def _customer(self) -> bool:
        return not self.context["request"].user.is_agent

    def get_name(self, form: TicketForm) -> str:
        return form.name_for_customers if self._customer else form.name

    @extend_schema_field(TicketFormItemSerializer(many=True))
    def fields_of(self, form: TicketForm) -> list[dict]:
        customer = self._customer
        rows = []
        for key, field, required in form_items(form, customer=customer):
            if field is None:
                help_text = ""
            else:
                help_text = field.customer_help_text if customer else field.help_text
            rows.append(
                {
                    "key": key,
                    "label": key_label(key, customer=customer),
                    "help_text": help_text,
                    "required": required,
                }
            )
        return rows


@extend_schema_view(
    list=extend_schema(
        summary="List ticket forms",
        description="Agents: every form (archived ones too). Customers: the active forms they "
        "may choose, with the fields they fill in.",
    ),
    retrieve=extend_schema(summary="Get a ticket form"),
)
class TicketFormViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = TicketFormSerializer
    permission_classes = [ApiPermission]
    ordering_choices = {"position": ("position", "id")}
    default_ordering = "position"

    def get_queryset(self):
        forms = TicketForm.objects.prefetch_related(
            Prefetch("items", queryset=TicketFormField.objects.all(), to_attr="item_list")
        )
        if getattr(self, "swagger_fake_view", False):
            return forms.none()  # the schema is built without a user
        if not self.request.user.is_agent:
            forms = forms.filter(active=True, customer_visible=True)
        return forms
