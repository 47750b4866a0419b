"""``/api/v1/teams`` and ``/api/v1/agents``: read-only, for agents. Teams show their
auto-assignment settings; agents their availability (and since when) and capacity."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from accounts.models import Availability, Role, Team, User
from support.api.filters import IdFilter, ordering_filter
from support.api.permissions import AgentsOnly, ApiPermission
from support.api.schema import ID_REGEX
from support.api.views import ApiViewMixin


class TeamSerializer(serializers.ModelSerializer):
    # Blank when the team sends from the default address, so not an "email" format string.
    email = serializers.CharField(read_only=True)
    lead_id = serializers.IntegerField(allow_null=True, read_only=True)
    member_ids = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "email",
            "lead_id",
            "member_ids",
            "assignment_mode",
            "return_after_minutes",
            "created_at",
        ]
        read_only_fields = fields

    def get_member_ids(self, team: Team) -> list[int]:
        return sorted(member.pk for member in team.members.all())


class AgentSerializer(serializers.ModelSerializer):
    team_ids = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "role",
            "availability",
            "availability_changed_at",
            "capacity",
            "time_zone",
            "team_ids",
        ]
        read_only_fields = fields

    def get_team_ids(self, user: User) -> list[int]:
        return sorted(team.pk for team in user.teams.all())


class TeamFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=100)

    class Meta:
        model = Team
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="List teams"), retrieve=extend_schema(summary="Get a team")
)
class TeamViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    permission_classes = [ApiPermission, AgentsOnly]
    ordering_choices = {"name": ("name", "id")}
    default_ordering = "name"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return Team.objects.prefetch_related("members")


AGENT_ORDERINGS = {"name": ("name", "id"), "email": ("email", "id"), "id": ("id",)}


class AgentFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=[(Role.ADMIN, "Admin"), (Role.AGENT, "Agent")])
    availability = django_filters.ChoiceFilter(choices=Availability.choices)
    team = IdFilter(field_name="teams")
    q = django_filters.CharFilter(method="search", max_length=200, help_text="Name or email")
    ordering = ordering_filter(AGENT_ORDERINGS)

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value) | queryset.filter(email__icontains=value)


@extend_schema_view(
    list=extend_schema(summary="List agents"), retrieve=extend_schema(summary="Get an agent")
)
class AgentViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = AgentSerializer
    filterset_class = AgentFilter
    permission_classes = [ApiPermission, AgentsOnly]
    ordering_choices = AGENT_ORDERINGS
    default_ordering = "name"
    lookup_value_regex = ID_REGEX

    def get_queryset(self):
        return (
            User.objects.filter(role__in=[Role.ADMIN, Role.AGENT], is_active=True)
            .prefetch_related("teams")
            .distinct()
        )
