"""Demo macros: a few shared ones every agent can apply, one for Billing, one personal.

Assumes the base demo data (teams, agent@example.com, admin@example.com). Idempotent.
"""

from __future__ import annotations

import random

from accounts.models import Team, User
from tickets.macros import services
from tickets.macros.models import Macro, MacroScope

SHARED = [
    (
        "Refund issued — solve",
        {
            "reply": "Hi {{ customer.first_name }},\n\nWe've issued your refund for "
            "{{ ticket.reference }}; it reaches the original payment method within 5-7 business "
            "days.\n\n{{ agent.name }}",
            "note": "Refund issued in the billing tool.",
            "status": "solved",
            "tags_add": ["refund"],
        },
    ),
    (
        "Need more info — pending",
        {
            "reply": "Hi {{ customer.first_name }},\n\nCould you send a screenshot and the exact "
            "time this happened? That helps us find it in the logs.\n\n{{ agent.name }}",
            "status": "pending",
            "tags_add": ["needs-info"],
        },
    ),
    (
        "Take it — urgent",
        {"assignee": "me", "priority": "urgent", "status": "open"},
    ),
    (
        "Spam — solve",
        {"note": "Marked as spam.", "status": "solved", "priority": "low", "tags_add": ["spam"]},
    ),
]
TEAM = {
    "Billing": [
        (
            "Billing: invoice question",
            {"type": "question", "tags_add": ["invoice"], "note": "Checked the invoice history."},
        )
    ],
}
PERSONAL = ("Escalate to Technical Support", {"note": "Escalating: reproduced the problem."})


def seed(*, rng: random.Random) -> None:
    admin = User.objects.filter(email__iexact="admin@example.com").first()
    if admin is None:
        return
    for title, actions in SHARED:
        if not Macro.objects.filter(title=title, owner=None, team=None).exists():
            services.macro_save(agent=admin, title=title, actions=actions, scope=MacroScope.SHARED)
    for team_name, macros in TEAM.items():
        team = Team.objects.filter(name=team_name).first()
        for title, actions in macros if team else []:
            if not Macro.objects.filter(title=title, team=team).exists():
                services.macro_save(
                    agent=admin, title=title, actions=actions, scope=MacroScope.TEAM, team=team
                )
    agent = User.objects.filter(email__iexact="agent@example.com").first()
    tech = Team.objects.filter(name="Technical Support").first()
    title, actions = PERSONAL
    if agent is not None and tech is not None:
        if not Macro.objects.filter(title=title, owner=agent).exists():
            services.macro_save(agent=agent, title=title, actions={**actions, "team": tech.pk})
