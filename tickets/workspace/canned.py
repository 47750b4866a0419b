"""Canned responses: an agent's own and their teams' saved replies, with placeholders filled in."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import Team, User
from support import clock
from support.errors import NotFound, NotPermitted, ValidationFailed
from tickets.models import CannedResponse, Ticket
from tickets.workspace.agent_cache import cached_for_agent

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")
PLACEHOLDERS = (
    "customer.first_name",
    "customer.name",
    "ticket.reference",
    "ticket.subject",
    "agent.name",
)


def canned_visible_to(agent: User) -> QuerySet[CannedResponse]:
    return CannedResponse.objects.filter(
        Q(owner=agent) | Q(team__in=agent.teams.values("pk"))
    ).select_related("team", "owner")


def render_placeholders(body: str, *, ticket: Ticket, agent: User) -> str:
    """Fill the known placeholders; anything else is left as typed (no template engine runs)."""
    values = {
        "customer.first_name": ticket.requester.first_name,
        "customer.name": ticket.requester.display_name,
        "ticket.reference": ticket.reference,
        "ticket.subject": ticket.subject,
        "agent.name": agent.display_name,
    }
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def _composer_list(agent: User) -> list[tuple[str, str, str, str]]:
    return [
        (c.shortcut, c.title, c.team.name if c.team_id else "mine", c.body)
        for c in canned_visible_to(agent).only("shortcut", "title", "body", "team", "owner")
    ]


def for_composer(*, agent: User, ticket: Ticket) -> list[dict]:
    """The agent's canned responses with this ticket's placeholders filled in. The list itself is
    cached per agent (``agent_cache``): the composer is on every ticket page."""
    responses = cached_for_agent("canned", agent.pk, lambda: _composer_list(agent))
    return [
        {
            "shortcut": shortcut,
            "title": title,
            "source": source,
            "body": render_placeholders(body, ticket=ticket, agent=agent),
        }
        for shortcut, title, source, body in responses
    ]


def _may_manage(agent: User, canned: CannedResponse) -> bool:
    if canned.owner_id == agent.pk:
        return True
    if canned.team_id:
        return agent.is_admin or canned.team.lead_id == agent.pk
    return False


def _clean(title: str, shortcut: str, body: str) -> tuple[str, str, str]:
    title = " ".join(title.split())[:100]
    shortcut = slugify(shortcut or title)[:40]
    body = body.strip()
    if not title:
        raise ValidationFailed(_("Give the response a title."), field="title")
    if not shortcut:
        raise ValidationFailed(
            _("Give the response a shortcut (letters and digits)."), field="shortcut"
        )
    if not body:
        raise ValidationFailed(_("The response needs a text."), field="body")
    return title, shortcut, body


@transaction.atomic
def canned_save(
    *,
    agent: User,
    title: str,
    shortcut: str,
    body: str,
    team: Team | None = None,
    canned: CannedResponse | None = None,
) -> CannedResponse:
    """Create or update a canned response. Team responses: admins and the team's lead."""
    if not agent.is_agent:
        raise NotPermitted(_("Only agents keep canned responses."))
    title, shortcut, body = _clean(title, shortcut, body)
    if team is not None and not (agent.is_admin or team.lead_id == agent.pk):
        raise NotPermitted(
            _("Only an admin or the lead of %(name)s can share responses with it.")
            % {"name": team.name}
        )
    if canned is not None and not _may_manage(agent, canned):
        raise NotFound(_("No such canned response."))
    if canned is None:
        canned = CannedResponse(created_at=clock.now())
    canned.title, canned.shortcut, canned.body = title, shortcut, body
    canned.team = team
    canned.owner = None if team is not None else agent
    canned.updated_at = clock.now()
    canned.save()
    return canned


@transaction.atomic
def canned_delete(*, agent: User, canned: CannedResponse) -> None:
    if not _may_manage(agent, canned):
        raise NotFound(_("No such canned response."))
    canned.delete()
