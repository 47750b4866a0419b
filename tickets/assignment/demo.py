"""Demo data for auto-assignment: Customer Support assigns round robin and takes back the tickets
of agents away for an hour, Billing assigns to the least loaded member; agents take up to 25
open tickets. Loaded with the rest (history suppressed): the first sweep hands out what waits.

Assumes the base demo data (its teams and agents). Idempotent.
"""

from __future__ import annotations

import random

from accounts.models import AssignmentMode, Role, Team, User
from tickets.assignment.cache import assigning_team_ids

SETTINGS = {
    "Customer Support": (AssignmentMode.ROUND_ROBIN, 60),
    "Billing": (AssignmentMode.LEAST_OPEN, 0),
}
CAPACITY = 25


def seed(*, rng: random.Random) -> None:
    for name, (mode, minutes) in SETTINGS.items():
        Team.objects.filter(name=name).update(assignment_mode=mode, return_after_minutes=minutes)
    User.objects.filter(role=Role.AGENT, capacity=0).update(capacity=CAPACITY)
    assigning_team_ids.invalidate()  # updates send no signal
