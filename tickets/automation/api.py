"""Routing rules, triggers and automations in ``/api/v1/``: ``routing-rules``, ``triggers`` and
``automations``.

Agents read them; admins list, create, change (PATCH), delete, reorder and test them; customers
get 404, as for every agent-only resource. Every write goes through
``tickets.automation.services`` (the admin pages' path too), so a refused rule is a 400 naming
the field (``conditions.all[0].operator``).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX
from support.api.serializers import StrictInputSerializer, id_field
from support.api.views import ApiViewMixin
from support.errors import NotFound
from tickets.automation import services
from tickets.automation.dryrun import automation_dry_run, dry_run
from tickets.automation.models import Automation, RoutingRule, Trigger
from tickets.selectors import ticket_get_for_agent


class AutomationPermission(permissions.BasePermission):
    """Agents (and admins) read; only admins write or test; customers get a 404."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user.is_authenticated:
            return True  # ApiPermission answers 401
        if not user.is_agent:
            raise exceptions.NotFound()
        if request.method not in permissions.SAFE_METHODS and not user.is_admin:
            raise exceptions.PermissionDenied("Only admins can change or test rules.")
        return True


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    position = serializers.IntegerField()
    is_active = serializers.BooleanField()
    conditions = serializers.JSONField()
    actions = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TriggerSerializer(RuleSerializer):
    description = serializers.CharField()


class RuleInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(required=False)
    conditions = serializers.JSONField(required=False)
    actions = serializers.JSONField()


class TriggerInputSerializer(RuleInputSerializer):
    description = serializers.CharField(max_length=250, required=False, allow_blank=True)


class ReorderSerializer(StrictInputSerializer):
    ids = serializers.ListField(child=id_field(), allow_empty=False)


class TestSerializer(StrictInputSerializer):
    ticket_id = id_field()


DRY_RUN = inline_serializer(
    "AutomationDryRun",
    {
        "ticket": serializers.IntegerField(),
        "routing": serializers.ListField(child=serializers.DictField()),
        "triggers": serializers.ListField(child=serializers.DictField()),
    },
)


class _RuleViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ApiPermission, AutomationPermission]
    lookup_value_regex = ID_REGEX
    pagination_class = None
    model: type[RoutingRule] | type[Trigger] | type[Automation]
    input_class: type[RuleInputSerializer] = RuleInputSerializer
    resource_path = ""

    def get_queryset(self):
        return self.model.objects.order_by("position", "id")

    def _save(self, rule, data) -> Response:
        values = dict(data.validated_data)
        if "conditions" not in values and rule.pk is None:
            values["conditions"] = {}
        rule = services.rule_save(rule, **values)
        code = status.HTTP_201_CREATED if data.partial is False else status.HTTP_200_OK
        response = Response(self.get_serializer(rule).data, status=code)
        if code == status.HTTP_201_CREATED:
            response["Location"] = f"/api/v1/{self.resource_path}/{rule.pk}"
        return response

    def create(self, request, *args, **kwargs):
        data = self.input_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._save(self.model(), data)

    def partial_update(self, request, *args, **kwargs):
        data = self.input_class(data=request.data, context={"request": request}, partial=True)
        data.is_valid(raise_exception=True)
        return self._save(self.get_object(), data)

    def destroy(self, request, *args, **kwargs):
        services.rule_delete(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _reorder(self, request) -> Response:
        data = ReorderSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.rules_reorder(self.model, data.validated_data["ids"])
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    def _test(self, request, run=dry_run) -> Response:
        data = TestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            ticket = ticket_get_for_agent(
                agent=request.user, ticket_id=data.validated_data["ticket_id"]
            )
        except NotFound:
            raise exceptions.ValidationError({"ticket_id": ["No such ticket."]}) from None
        return Response(run(ticket))


@extend_schema_view(
    list=extend_schema(summary="List routing rules in the order they are tried (agents)"),
    retrieve=extend_schema(summary="Get a routing rule (agents)"),
    create=extend_schema(summary="Create a routing rule (admins)", request=RuleInputSerializer),
    partial_update=extend_schema(
        summary="Change a routing rule (admins)", request=RuleInputSerializer
    ),
    destroy=extend_schema(summary="Delete a routing rule (admins)", responses={204: None}),
)
class RoutingRuleViewSet(_RuleViewSet):
    model = RoutingRule
    serializer_class = RuleSerializer
    resource_path = "routing-rules"

    @extend_schema(summary="Reorder routing rules (admins)", request=ReorderSerializer)
    @action(detail=False, methods=["post"])
    def reorder(self, request):
        return self._reorder(request)

    @extend_schema(
        summary="Which rules would fire on a ticket, without changing it (admins)",
        request=TestSerializer,
        responses={200: DRY_RUN},
    )
    @action(detail=False, methods=["post"])
    def test(self, request):
        return self._test(request)


@extend_schema_view(
    list=extend_schema(summary="List triggers in the order they run (agents)"),
    retrieve=extend_schema(summary="Get a trigger (agents)"),
    create=extend_schema(summary="Create a trigger (admins)", request=TriggerInputSerializer),
    partial_update=extend_schema(
        summary="Change a trigger (admins)", request=TriggerInputSerializer
    ),
    destroy=extend_schema(summary="Delete a trigger (admins)", responses={204: None}),
)
class TriggerViewSet(_RuleViewSet):
    model = Trigger
    serializer_class = TriggerSerializer
    input_class = TriggerInputSerializer
    resource_path = "triggers"

    @extend_schema(summary="Reorder triggers (admins)", request=ReorderSerializer)
    @action(detail=False, methods=["post"])
    def reorder(self, request):
        return self._reorder(request)

    @extend_schema(
        summary="Which rules would fire on a ticket, without changing it (admins)",
        request=TestSerializer,
        responses={200: DRY_RUN},
    )
    @action(detail=False, methods=["post"])
    def test(self, request):
        return self._test(request)


AUTOMATION_DRY_RUN = inline_serializer(
    "AutomationSweepDryRun",
    {
        "ticket": serializers.IntegerField(),
        "automations": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema_view(
    list=extend_schema(summary="List time-based automations in the order they run (agents)"),
    retrieve=extend_schema(summary="Get an automation (agents)"),
    create=extend_schema(summary="Create an automation (admins)", request=TriggerInputSerializer),
    partial_update=extend_schema(
        summary="Change an automation (admins)", request=TriggerInputSerializer
    ),
    destroy=extend_schema(summary="Delete an automation (admins)", responses={204: None}),
)
class AutomationViewSet(_RuleViewSet):
    model = Automation
    serializer_class = TriggerSerializer
    input_class = TriggerInputSerializer
    resource_path = "automations"

    @extend_schema(summary="Reorder automations (admins)", request=ReorderSerializer)
    @action(detail=False, methods=["post"])
    def reorder(self, request):
        return self._reorder(request)

    @extend_schema(
        summary="Which automations would act on a ticket now, without changing it (admins)",
        request=TestSerializer,
        responses={200: AUTOMATION_DRY_RUN},
    )
    @action(detail=False, methods=["post"])
    def test(self, request):
        return self._test(request, run=automation_dry_run)
