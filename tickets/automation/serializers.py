"""API representations of routing rules, triggers and automations: what ``/api/v1/`` returns and
what their webhooks (``tickets.automation.announce``) carry."""

from __future__ import annotations

from rest_framework import serializers

from tickets.automation.models import Automation, RoutingRule, Trigger


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


def rule_serializer(model: type[RoutingRule] | type[Trigger] | type[Automation]):
    return RuleSerializer if model is RoutingRule else TriggerSerializer
