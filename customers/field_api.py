"""``/api/v1/organization-fields`` and ``/api/v1/customer-fields``: the definitions of the
organization and customer fields. Agents read them (so a client knows which ``fields`` keys the
customers and organizations resources take); admins create, change and delete them through
``customers.fields``, the functions the admin pages call. Customers get a 404."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from customers import fields as profile
from customers.models import ProfileField, ProfileFieldChoice
from support.api.permissions import AgentsOnly, ApiPermission
from support.api.schema import ID_REGEX
from support.api.serializers import StrictInputSerializer
from support.api.views import ApiViewMixin
from support.customfields import FieldKind


class ProfileFieldChoiceSerializer(serializers.Serializer):
    value = serializers.RegexField(
        r"^[a-z0-9_-]{1,64}$", help_text="What values store; never changes."
    )
    label = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    retired = serializers.BooleanField(
        required=False, default=False, help_text="Kept where held, offered no more."
    )


class ProfileFieldChoiceInputSerializer(StrictInputSerializer, ProfileFieldChoiceSerializer):
    """A choice as sent: an unknown property is a 400 naming it."""


class ProfileFieldSerializer(serializers.ModelSerializer):
    choices = ProfileFieldChoiceSerializer(many=True, source="choice_list", read_only=True)

    class Meta:
        model = ProfileField
        fields = [
            "id",
            "key",
            "kind",
            "label",
            "help_text",
            "pattern",
            "position",
            "active",
            "choices",
            "created_at",
        ]
        read_only_fields = fields


class ProfileFieldInputSerializer(StrictInputSerializer):
    key = serializers.SlugField(max_length=32, help_text="Set when created; it can't change.")
    kind = serializers.ChoiceField(
        FieldKind.choices, help_text="Set when created; it can't change."
    )
    label = serializers.CharField(max_length=100)
    help_text = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    pattern = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="For kind pattern: a regular expression the whole value must match.",
    )
    position = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, default=100
    )
    active = serializers.BooleanField(required=False, default=True)
    choices = ProfileFieldChoiceInputSerializer(
        many=True,
        required=False,
        help_text="For choice kinds, in order: the whole list (a value left out is retired).",
    )


@extend_schema_view(
    list=extend_schema(summary="List the fields"),
    retrieve=extend_schema(summary="Get a field"),
    create=extend_schema(
        summary="Define a field (admins)",
        request=ProfileFieldInputSerializer,
        responses={201: ProfileFieldSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a field (admins; its key and kind stay)",
        request=ProfileFieldInputSerializer,
        responses={200: ProfileFieldSerializer},
    ),
    destroy=extend_schema(
        summary="Delete a field no one holds a value for (409 with the count otherwise)",
        responses={204: None},
    ),
)
class _ProfileFieldViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProfileFieldSerializer
    permission_classes = [ApiPermission, AgentsOnly]
    lookup_value_regex = ID_REGEX
    ordering_choices = {"position": ("position", "id"), "id": ("id",)}
    default_ordering = "position"
    target = ""
    resource_path = ""

    def get_queryset(self):
        return ProfileField.objects.filter(applies_to=self.target).prefetch_related(
            Prefetch("choices", queryset=ProfileFieldChoice.objects.all(), to_attr="choice_list")
        )

    def _input(self, request, *, partial: bool) -> dict:
        data = ProfileFieldInputSerializer(
            data=request.data, context={"request": request}, partial=partial
        )
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _answer(self, field: ProfileField, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=field.pk)
        headers = {}
        if code == status.HTTP_201_CREATED:
            headers["Location"] = f"/api/v1/{self.resource_path}/{fresh.pk}"
        return Response(self.get_serializer(fresh).data, status=code, headers=headers)

    def create(self, request, *args, **kwargs):
        values = self._input(request, partial=False)
        choices = values.pop("choices", None)
        field = ProfileField(applies_to=self.target, **values)
        profile.profile_field_save(field=field, choices=choices, by=request.user)
        return self._answer(field, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        values = self._input(request, partial=True)
        choices = values.pop("choices", None)
        with transaction.atomic():
            field = self.get_object()
            for name, value in values.items():
                setattr(field, name, value)
            profile.profile_field_save(field=field, choices=choices, by=request.user)
        return self._answer(field)

    def destroy(self, request, *args, **kwargs):
        profile.profile_field_delete(field=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrganizationFieldViewSet(_ProfileFieldViewSet):
    target = ProfileField.Target.ORGANIZATION
    resource_path = "organization-fields"


class CustomerFieldViewSet(_ProfileFieldViewSet):
    target = ProfileField.Target.CUSTOMER
    resource_path = "customer-fields"
