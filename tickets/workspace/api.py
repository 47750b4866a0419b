"""``/api/v1/views``: an agent's saved queue views (their own and those shared with their teams).

Writes go through ``tickets.workspace.saved_views``, the services the workspace pages call.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts.models import Team
from support.api.filters import ordering_filter
from support.api.permissions import AgentsOnly, ApiPermission
from support.api.schema import ID_REGEX, schema_constrain
from support.api.serializers import StrictInputSerializer, id_field, serializing_for
from support.api.views import ApiViewMixin
from support.errors import NotFound
from tickets.models import SavedView
from tickets.workspace import saved_views
from tickets.workspace.queues import FILTER_KEYS, saved_views_for

FILTERS_HELP = (
    "Queue filters, each a list of values, as the workspace's query string: "
    + ", ".join(FILTER_KEYS)
    + ', and field.<key> of a ticket field (its values). E.g. {"status": ["open"], '
    '"assignee": ["me"], "field.browser": ["chrome"]}.'
)


def _filters_field(**kwargs) -> serializers.DictField:
    return serializers.DictField(
        child=serializers.ListField(
            child=serializers.CharField(max_length=200, allow_blank=True), max_length=20
        ),
        help_text=FILTERS_HELP,
        **kwargs,
    )


class SavedViewSerializer(serializers.ModelSerializer):
    owner_id = serializers.IntegerField(read_only=True)
    filters = _filters_field(read_only=True)
    shared = serializers.SerializerMethodField(help_text="Shared with you by someone else.")
    shared_with_ids = serializers.SerializerMethodField(help_text="Teams it is shared with.")

    class Meta:
        model = SavedView
        fields = [
            "id",
            "name",
            "filters",
            "owner_id",
            "shared",
            "shared_with_ids",
            "position",
            "created_at",
        ]
        read_only_fields = fields

    def get_shared(self, view: SavedView) -> bool:
        user = serializing_for(self.context)
        return user is not None and view.owner_id != user.pk

    def get_shared_with_ids(self, view: SavedView) -> list[int]:
        return sorted(team.pk for team in view.shared_with.all())


class SavedViewCreateSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=80)
    filters = _filters_field(required=False, default=dict)
    shared_with_ids = serializers.ListField(
        child=id_field(), required=False, default=list, max_length=100, help_text="Admins only."
    )


# The filters exactly: the known keys and field.<key>, each up to 20 texts of up to 200
# characters; another key is a 400. (A field.<key> naming no filterable field is a 404: which
# fields exist is data, not schema.)
_FILTER_VALUES = {
    "type": "array",
    "maxItems": saved_views.MAX_VALUES_PER_FILTER,
    "items": {"type": "string", "maxLength": saved_views.VALUE_MAX, "pattern": "^[^\\u0000]*$"},
}
schema_constrain(
    "SavedViewCreateRequest",
    properties={
        "filters": {
            "type": "object",
            "description": FILTERS_HELP,
            "properties": dict.fromkeys(FILTER_KEYS, _FILTER_VALUES),
            "patternProperties": {saved_views.FIELD_FILTER_RE.pattern: _FILTER_VALUES},
            "additionalProperties": False,
        }
    },
)


class SavedViewShareSerializer(StrictInputSerializer):
    shared_with_ids = serializers.ListField(
        child=id_field(), max_length=100, help_text="The teams to share with (replaces them)."
    )


def _teams(ids: list[int]) -> list[Team]:
    teams = list(Team.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {team.pk for team in teams})
    if missing:
        raise NotFound(f"No such team: {', '.join(map(str, missing))}.", field="shared_with_ids")
    return teams


VIEW_ORDERINGS = {
    "name": ("name", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
}


class SavedViewFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=80)
    ordering = ordering_filter(VIEW_ORDERINGS)

    class Meta:
        model = SavedView
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List your saved views and those shared with your teams"),
    retrieve=extend_schema(summary="Get a saved view"),
    destroy=extend_schema(summary="Delete one of your saved views"),
)
class SavedViewViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = SavedViewSerializer
    permission_classes = [ApiPermission, AgentsOnly]
    filterset_class = SavedViewFilter
    ordering_choices = VIEW_ORDERINGS
    default_ordering = "name"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SavedView.objects.none()
        return (
            saved_views_for(self.request.user)
            .only("id", "name", "filters", "owner_id", "position", "created_at")
            .prefetch_related("shared_with")
        )

    @extend_schema(
        summary="Save a view",
        request=SavedViewCreateSerializer,
        responses={201: SavedViewSerializer},
        examples=[
            OpenApiExample(
                "My urgent tickets",
                value={"name": "Urgent", "filters": {"priority": ["urgent"], "assignee": ["me"]}},
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        data = SavedViewCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        view = saved_views.saved_view_create(
            owner=request.user,
            name=values["name"],
            filters=values["filters"],
            share_with=_teams(values["shared_with_ids"]),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=view.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/views/{view.pk}"},
        )

    @extend_schema(
        summary="Share one of your views with teams (admins)",
        request=SavedViewShareSerializer,
        responses={200: SavedViewSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        view = self.get_object()
        # A PATCH sends what changes: without shared_with_ids the teams stay (the service still
        # says who may share).
        data = SavedViewShareSerializer(
            data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        ids = data.validated_data.get("shared_with_ids")
        teams = _teams(ids) if ids is not None else list(view.shared_with.all())
        saved_views.saved_view_share(view=view, teams=teams, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=view.pk)).data)

    def destroy(self, request, *args, **kwargs):
        saved_views.saved_view_delete(view=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
