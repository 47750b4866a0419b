"""Routing rules, triggers and automations in ``/api/v1/``: ``routing-rules``, ``triggers`` and
``automations``.

Agents read them; admins list, create, change (PATCH), delete, copy, reorder and test them;
customers get 404, as for every agent-only resource. Every write goes through
``tickets.automation.services`` (the admin pages' path too), so a refused rule is a 400 naming
the field (``conditions.all[0].operator``). The three resources differ only in their model,
their representation and what the test runs, so one view set serves them all (``rule_views``).
"""

from __future__ import annotations

import functools
from datetime import date

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from customers import fields as profile
from customers.fields import profile_fields
from support import customfields
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX, schema_runtime_property
from support.api.serializers import StrictInputSerializer, id_field
from support.api.views import ApiViewMixin
from support.customfields import FieldKind
from support.errors import NotFound, ValidationFailed
from tickets.automation import field_rules, openapi, profile_rules, services
from tickets.automation.dryrun import automation_dry_run, dry_run
from tickets.automation.models import Automation, RoutingRule, Trigger
from tickets.automation.serializers import RuleSerializer, TriggerSerializer
from tickets.fields.cache import ticket_fields
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


class ConditionsField(serializers.JSONField):
    """``{"all": [...], "any": [...]}``; checked by ``validate_rule``, whose tables build the
    schema (``tickets.automation.openapi``)."""


class ActionsField(serializers.JSONField):
    """``[{"action": ..., "value": ...}, ...]``; checked by ``validate_rule``."""


class RoutingRuleInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=120)
    is_active = serializers.BooleanField(required=False)
    conditions = ConditionsField(required=False)
    actions = ActionsField()


class TriggerInputSerializer(RoutingRuleInputSerializer):
    description = serializers.CharField(max_length=250, required=False, allow_blank=True)


class AutomationInputSerializer(TriggerInputSerializer):
    conditions = ConditionsField()  # a time condition in all


# The schema of conditions and actions per resource, with the current custom fields' keys.
_SOURCES = (ticket_fields, profile_fields)
for _name, _kind in (
    ("RoutingRuleInput", openapi.ROUTING),
    ("TriggerInput", openapi.TRIGGER),
    ("AutomationInput", openapi.AUTOMATION),
):
    for _component in (f"{_name}Request", f"Patched{_name}Request"):
        schema_runtime_property(
            _component,
            "conditions",
            functools.partial(openapi.conditions_schema, _kind),
            sources=_SOURCES,
        )
        schema_runtime_property(
            _component,
            "actions",
            functools.partial(openapi.actions_schema, _kind),
            sources=_SOURCES,
        )


class ReorderSerializer(StrictInputSerializer):
    ids = serializers.ListField(child=id_field(), min_length=1)


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


AUTOMATION_DRY_RUN = inline_serializer(
    "AutomationSweepDryRun",
    {
        "ticket": serializers.IntegerField(),
        "automations": serializers.ListField(child=serializers.DictField()),
    },
)


def _strict(field, value: object, where: str, *, target: str) -> object:
    """``value`` of the JSON type the schema states for a ``field`` condition (a whole ``3.0``
    is ``3``), else ``ValidationFailed`` naming ``where``; the validator checks the rest."""
    kind, ok = field.kind, True
    if kind == FieldKind.NUMBER and isinstance(value, float) and value.is_integer():
        value = int(value)
    if kind == FieldKind.NUMBER:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == FieldKind.DECIMAL:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == FieldKind.DATE:
        ok = isinstance(value, str) and customfields.DATE_RE.fullmatch(value) is not None
        if ok:
            try:
                date.fromisoformat(value)
            except ValueError:
                ok = False
    elif kind != FieldKind.CHECKBOX:
        ok = isinstance(value, str)
    if not ok:
        raise ValidationFailed(
            f"{value!r} is not a value of the {target} field {field.key!r}.", field=where
        )
    return value


def rule_types_check(conditions: object, actions: object) -> None:
    """The custom fields' values in a rule sent to the API, held to the JSON types the schema
    states (the validator, shared with the pages, takes ``"3"`` for a number too)."""
    if isinstance(conditions, dict):
        for group in ("all", "any"):
            items = conditions.get(group)
            for i, cond in enumerate(items if isinstance(items, list) else ()):
                if not isinstance(cond, dict) or "value" not in cond:
                    continue
                name, operator = cond.get("field"), cond.get("operator")
                where = f"conditions.{group}[{i}].value"
                if field_rules.is_field_condition(name):
                    field = ticket_fields.get().get(name[len(field_rules.PREFIX) :])
                    if field is not None and operator not in field_rules.NO_VALUE:
                        cond["value"] = _strict(field, cond["value"], where, target="ticket")
                elif profile_rules.is_profile_condition(name):
                    prefix, _, key = name.partition(".")
                    target = profile_rules.PREFIXES[f"{prefix}."]
                    field = profile.field_for(target, key)
                    if field is not None and operator not in profile_rules.SET:
                        cond["value"] = _strict(field, cond["value"], where, target=prefix)
    for i, item in enumerate(actions if isinstance(actions, list) else ()):
        if not isinstance(item, dict) or item.get("action") != "set_field":
            continue
        value = item.get("value")
        if isinstance(value, dict) and isinstance(value.get("field"), str):
            field = ticket_fields.get().get(value["field"])
            if field is not None and field.active and "value" in value:
                try:
                    value["value"] = customfields.value_strict(field, value["value"])
                except ValidationFailed as exc:
                    raise ValidationFailed(exc.message, field=f"actions[{i}].value.value") from None


class _RuleViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Every endpoint of one kind of rule; :func:`rule_views` makes one per kind."""

    permission_classes = [ApiPermission, AutomationPermission]
    lookup_value_regex = ID_REGEX
    pagination_class = None
    model: type[RoutingRule] | type[Trigger] | type[Automation]
    input_class: type[RoutingRuleInputSerializer] = RoutingRuleInputSerializer
    resource_path = ""

    def get_queryset(self):
        return self.model.objects.order_by("position", "id")

    def dry_run(self, ticket) -> dict:
        return automation_dry_run(ticket) if self.model is Automation else dry_run(ticket)

    def _created(self, rule) -> Response:
        response = Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/{self.resource_path}/{rule.pk}"
        return response

    def _input(self, request, *, partial: bool = False) -> dict:
        data = self.input_class(data=request.data, context={"request": request}, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rule_types_check(values.get("conditions"), values.get("actions"))
        return values

    def create(self, request, *args, **kwargs):
        values = self._input(request)
        values.setdefault("conditions", {})
        return self._created(services.rule_save(self.model(), by=request.user, **values))

    def partial_update(self, request, *args, **kwargs):
        values = self._input(request, partial=True)
        rule = services.rule_save(self.get_object(), by=request.user, **values)
        return Response(self.get_serializer(rule).data)

    def destroy(self, request, *args, **kwargs):
        services.rule_delete(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def copy(self, request, *args, **kwargs):
        return self._created(services.rule_copy(self.get_object(), by=request.user))

    @action(detail=False, methods=["post"])
    def reorder(self, request):
        data = ReorderSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.rules_reorder(self.model, data.validated_data["ids"], by=request.user)
        return Response(self.get_serializer(self.get_queryset(), many=True).data)

    @action(detail=False, methods=["post"])
    def test(self, request):
        data = TestSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            ticket = ticket_get_for_agent(
                agent=request.user, ticket_id=data.validated_data["ticket_id"]
            )
        except NotFound:
            raise NotFound("No such ticket.", field="ticket_id") from None
        return Response(self.dry_run(ticket))


def rule_views(
    model: type[RoutingRule] | type[Trigger] | type[Automation],
    *,
    path: str,
    one: str,
    many: str,
    order: str,
    test: str,
) -> type[_RuleViewSet]:
    """The view set of one kind of rule, with its OpenAPI descriptions (``one``: "a trigger",
    ``many``: "triggers", ``order``: how the list is ordered, ``test``: what the test tells)."""
    input_class = {
        RoutingRule: RoutingRuleInputSerializer,
        Trigger: TriggerInputSerializer,
        Automation: AutomationInputSerializer,
    }[model]
    views = type(
        f"{model.__name__}ViewSet",
        (_RuleViewSet,),
        {
            "model": model,
            "serializer_class": RuleSerializer if model is RoutingRule else TriggerSerializer,
            "input_class": input_class,
            "resource_path": path,
            "__doc__": f"``/api/v1/{path}``: {many} (see the module).",
        },
    )
    return extend_schema_view(
        list=extend_schema(summary=f"List {many} {order} (agents)"),
        retrieve=extend_schema(summary=f"Get {one} (agents)"),
        create=extend_schema(summary=f"Create {one} (admins)", request=input_class),
        partial_update=extend_schema(summary=f"Change {one} (admins)", request=input_class),
        destroy=extend_schema(summary=f"Delete {one} (admins)", responses={204: None}),
        copy=extend_schema(
            summary=f"Copy {one}: last in the order, off until enabled (admins)",
            request=None,
            responses={201: views.serializer_class},
        ),
        reorder=extend_schema(summary=f"Reorder {many} (admins)", request=ReorderSerializer),
        test=extend_schema(
            summary=f"{test}, without changing it (admins)",
            request=TestSerializer,
            responses={200: AUTOMATION_DRY_RUN if model is Automation else DRY_RUN},
        ),
    )(views)


RoutingRuleViewSet = rule_views(
    RoutingRule,
    path="routing-rules",
    one="a routing rule",
    many="routing rules",
    order="in the order they are tried",
    test="Which rules would fire on a ticket",
)
TriggerViewSet = rule_views(
    Trigger,
    path="triggers",
    one="a trigger",
    many="triggers",
    order="in the order they run",
    test="Which rules would fire on a ticket",
)
AutomationViewSet = rule_views(
    Automation,
    path="automations",
    one="an automation",
    many="time-based automations",
    order="in the order they run",
    test="Which automations would act on a ticket now",
)
