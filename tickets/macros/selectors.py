"""Which macros an agent may see and apply."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from support.errors import NotFound
from tickets.macros.models import Macro
from tickets.workspace.agent_cache import cached_for_agent


def macros_visible_to(agent: User) -> QuerySet[Macro]:
    """The agent's own macros, their teams' and the shared ones (admins: every team's too).
    Another agent's personal macro is never visible, not even to an admin."""
    mine = Q(owner=agent) | Q(owner__isnull=True, team__isnull=True)
    if agent.is_admin:
        mine |= Q(team__isnull=False)
    else:
        mine |= Q(team__in=agent.teams.values("pk"))
    return Macro.objects.filter(mine).select_related("team", "owner")


def macro_get_for_agent(*, agent: User, macro_id: int, active: bool = False) -> Macro:
    """The macro if ``agent`` may see it (``active``: and it is enabled), else ``NotFound``."""
    macros = macros_visible_to(agent)
    if active:
        macros = macros.filter(active=True)
    macro = macros.filter(pk=macro_id).first()
    if macro is None:
        raise NotFound(_("No such macro."))
    return macro


def _picker_list(agent: User) -> list[dict]:
    return [
        {
            "id": m.pk,
            "title": m.title,
            "source": "yours" if m.owner_id else (m.team.name if m.team_id else "shared"),
        }
        for m in macros_visible_to(agent)
        .filter(active=True)
        .only("id", "title", "owner", "team__name")
    ]


def macros_for_picker(agent: User) -> list[dict]:
    """The active macros ``agent`` may apply, for the composer and the bulk bar: cached per agent
    (``agent_cache``, bumped when a macro is saved or deleted); the composer is on every ticket."""
    return cached_for_agent("macros", agent.pk, lambda: _picker_list(agent))
