"""The automations a fresh install ships, switched off: an admin reads them, changes the hours,
and enables them. Created by a data migration (and by the demo, if missing)."""

from __future__ import annotations

REMINDER_BODY = (
    "Hello {{ticket.requester}},\n\n"
    "we are still waiting for your answer on “{{ticket.subject}}” (#{{ticket.id}}). "
    "Just reply to this mail and we'll pick it up again. If we don't hear from you within four "
    "more days, we'll take it that it's settled and mark the request solved.\n"
)

EXAMPLES: list[dict] = [
    {
        "name": "Pending 3 days: remind the requester",
        "description": "Mails the requester once when a ticket has waited 3 days for their answer.",
        "conditions": {
            "all": [{"field": "hours_since_pending", "operator": "greater_than", "value": 72}]
        },
        "actions": [
            {
                "action": "mail",
                "value": {
                    "to": "requester",
                    "subject": "Waiting for your answer: {{ticket.subject}} [#{{ticket.id}}]",
                    "body": REMINDER_BODY,
                },
            }
        ],
    },
    {
        "name": "Pending 7 days: solve",
        "description": "Solves a ticket still waiting for the requester after 7 days.",
        "conditions": {
            "all": [{"field": "hours_since_pending", "operator": "greater_than", "value": 168}]
        },
        "actions": [
            {"action": "set_status", "value": "solved"},
            {"action": "add_tags", "value": "auto-solved"},
        ],
    },
    {
        "name": "Close solved tickets after 4 days",
        "description": "Closes a ticket solved 4 days ago that nobody reopened.",
        "conditions": {
            "all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 96}]
        },
        "actions": [{"action": "set_status", "value": "closed"}],
    },
]


def create_examples(automation_model) -> int:
    """Create the examples (off) that don't exist yet, by name; returns how many. Takes the model
    so a migration can pass its historical one."""
    made = 0
    for position, example in enumerate(EXAMPLES):
        if automation_model.objects.filter(name=example["name"]).exists():
            continue
        automation_model.objects.create(position=position, is_active=False, **example)
        made += 1
    return made
