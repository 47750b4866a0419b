"""Demo data for the agent workspace: canned responses, saved views, search documents.

Assumes the base demo data (teams, agent@example.com, admin@example.com, tickets). Idempotent.
"""

from __future__ import annotations

import random

from accounts.models import Team, User
from tickets.models import CannedResponse, SavedView
from tickets.workspace import canned, search

PERSONAL = [
    (
        "Thanks, looking into it",
        "look",
        "Hi {{ customer.first_name }},\n\nThanks for reaching out "
        "about {{ ticket.reference }}. I'm looking into it now and will get back to you "
        "shortly.\n\n"
        "{{ agent.name }}",
    ),
    (
        "Need more details",
        "details",
        "Hi {{ customer.first_name }},\n\nCould you send a screenshot "
        "and the exact time this happened? That helps us find it in the logs.\n\n{{ agent.name }}",
    ),
]
SHARED = [
    (
        "Refund policy",
        "refund",
        "Hi {{ customer.first_name }},\n\nRefunds are issued to the "
        "original payment method within 5-7 business days.\n\n{{ agent.name }}",
    ),
    (
        "Closing: solved",
        "solved",
        "Hi {{ customer.first_name }},\n\nI'm marking "
        "{{ ticket.reference }} as solved. Just reply if anything is still not right.\n\n"
        "{{ agent.name }}",
    ),
]


def seed(*, rng: random.Random) -> None:
    admin = User.objects.filter(email__iexact="admin@example.com").first()
    agents = list(User.objects.filter(role="agent", is_active=True))
    for agent in agents:
        for title, shortcut, body in PERSONAL:
            if not CannedResponse.objects.filter(owner=agent, shortcut=shortcut).exists():
                canned.canned_save(agent=agent, title=title, shortcut=shortcut, body=body)
        if not SavedView.objects.filter(owner=agent, name="Urgent and high").exists():
            SavedView.objects.create(
                owner=agent,
                name="Urgent and high",
                filters={"priority": ["urgent", "high"], "status": ["unsolved"]},
            )
    if admin is not None:
        for team in Team.objects.all():
            for title, shortcut, body in SHARED:
                if not CannedResponse.objects.filter(team=team, shortcut=shortcut).exists():
                    canned.canned_save(
                        agent=admin, title=title, shortcut=shortcut, body=body, team=team
                    )
            name = f"{team.name}: waiting on us"
            if not SavedView.objects.filter(owner=admin, name=name).exists():
                view = SavedView.objects.create(
                    owner=admin,
                    name=name,
                    filters={"team": [str(team.pk)], "status": ["new", "open"]},
                )
                view.shared_with.add(team)
    # Demo tickets are imported with events suppressed: build every search document once.
    search.documents_rebuild_all()
