"""The API representation of a macro: what ``/api/v1/macros`` returns and what its webhooks
(``tickets.automation.announce``) carry."""

from __future__ import annotations

from rest_framework import serializers

from tickets.macros.models import Macro, MacroScope

ACTIONS_HELP = (
    "What the macro does, each key optional (at least one): reply, note (text with placeholders "
    "such as {{ customer.first_name }}), status (open, pending, on_hold, solved), priority, "
    'type, team (a team id, or null to clear), assignee (an agent id, "me" for whoever applies '
    "it, or null to unassign), tags_add, tags_remove (lists of tag names), fields (custom field "
    'values by key, null clears one: {"browser": "safari"}).'
)


class MacroSerializer(serializers.ModelSerializer):
    scope = serializers.ChoiceField(MacroScope.choices, read_only=True)
    owner_id = serializers.IntegerField(read_only=True, allow_null=True)
    team_id = serializers.IntegerField(read_only=True, allow_null=True)
    actions = serializers.DictField(read_only=True, help_text=ACTIONS_HELP)

    class Meta:
        model = Macro
        fields = [
            "id",
            "title",
            "scope",
            "owner_id",
            "team_id",
            "active",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
