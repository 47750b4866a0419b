from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Availability, Role, Team, User, normalize_email
from accounts.signals import availability_changed
from support import clock
from support.errors import AlreadyExists, ValidationFailed
from support.text import clean_name


@transaction.atomic
def user_create(
    *,
    email: str,
    name: str = "",
    role: str = Role.AGENT,
    password: str | None = None,
    time_zone: str = "UTC",
    locale: str = "en",
) -> User:
    email = normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise AlreadyExists(_("A user with this email address already exists."), field="email")
    return User.objects.create_user(
        email, password, name=clean_name(name), role=role, time_zone=time_zone, locale=locale
    )


@transaction.atomic
def team_create(*, name: str, email: str = "", lead: User | None = None) -> Team:
    if Team.objects.filter(name__iexact=name).exists():
        raise AlreadyExists(
            _("A team called %(name)s already exists.") % {"name": repr(name)}, field="name"
        )
    return Team.objects.create(name=name, email=email, lead=lead)


def team_add_member(*, team: Team, user: User) -> None:
    if not user.is_agent:
        raise ValidationFailed(_("Only agents and admins can be team members."))
    team.members.add(user)


@transaction.atomic
def agent_set_availability(*, agent: User, availability: str) -> User:
    """Set the agent's availability and, when it changes, the time it changed (away agents'
    tickets go back to their teams after a while) and tell ``availability_changed``."""
    if availability not in Availability.values:
        raise ValidationFailed(
            _("Unknown availability %(availability)s.") % {"availability": repr(availability)},
            field="availability",
        )
    if not agent.is_agent:
        raise ValidationFailed(_("Only agents have an availability."))
    old = agent.availability
    agent.availability = availability
    agent.last_seen_at = clock.now()  # choosing counts as being there
    if old == availability:
        agent.save(update_fields=["availability", "last_seen_at"])
        return agent
    agent.availability_changed_at = agent.last_seen_at
    agent.save(update_fields=["availability", "availability_changed_at", "last_seen_at"])
    availability_changed.send(sender=User, user=agent, old=old, new=availability)
    return agent


def heartbeat_write_every() -> timedelta:
    """A heartbeat writes at most this often (an open page sends one every
    ``AGENT_HEARTBEAT_SECONDS``, each tab its own): 15 s, or less when agents go away sooner."""
    return timedelta(seconds=min(15, settings.AGENT_AWAY_AFTER_SECONDS / 4))


def agent_heartbeat(*, agent: User) -> None:
    """An open workspace page says the agent is there: one conditional UPDATE, at most every
    :func:`heartbeat_write_every`. It never changes the availability itself."""
    now = clock.now()
    User.objects.filter(pk=agent.pk, last_seen_at__lt=now - heartbeat_write_every()).update(
        last_seen_at=now
    )


def away_cutoff(now: datetime | None = None) -> datetime:
    """Agents last seen before this are no longer there, whatever their availability says."""
    return (now or clock.now()) - timedelta(seconds=settings.AGENT_AWAY_AFTER_SECONDS)


def agents_expire_away(*, now: datetime | None = None) -> list[int]:
    """Set away every online agent with no heartbeat for ``AGENT_AWAY_AFTER_SECONDS`` (the
    browser was closed, the laptop went to sleep). They went away when they were last seen, so
    that is their ``availability_changed_at``: a team returning an away agent's tickets after N
    minutes counts from then. Each agent is one conditional UPDATE (a heartbeat arriving
    meanwhile wins); ``availability_changed`` is told. Returns the ids set away."""
    expired = []
    stale = User.objects.filter(availability=Availability.ONLINE, last_seen_at__lt=away_cutoff(now))
    for pk, seen in stale.values_list("pk", "last_seen_at"):
        with transaction.atomic():
            updated = User.objects.filter(
                pk=pk, availability=Availability.ONLINE, last_seen_at=seen
            ).update(availability=Availability.AWAY, availability_changed_at=seen)
            if updated:
                agent = User.objects.get(pk=pk)
                availability_changed.send(
                    sender=User, user=agent, old=Availability.ONLINE, new=Availability.AWAY
                )
                expired.append(pk)
    return expired


@transaction.atomic
def team_update(*, team: Team, name: str, email: str = "", lead: User | None = None) -> Team:
    """Rename a team, set the address its replies come from (and mail to it lands in it), and its
    lead (a member)."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("A team needs a name."), field="name")
    if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise AlreadyExists(
            _("A team called %(name)s already exists.") % {"name": repr(name)}, field="name"
        )
    email = normalize_email(email) if email.strip() else ""
    if email and Team.objects.filter(email__iexact=email).exclude(pk=team.pk).exists():
        raise AlreadyExists(
            _("Another team already uses %(email)s.") % {"email": email}, field="email"
        )
    if lead is not None and not team.members.filter(pk=lead.pk).exists():
        raise ValidationFailed(
            _("%(display_name)s is not a member of %(name)s.")
            % {"display_name": lead.display_name, "name": name},
            field="lead",
        )
    team.name, team.email, team.lead = name, email, lead
    team.full_clean(exclude=["last_assigned_to", "members"])
    team.save(update_fields=["name", "email", "lead"])
    return team


def team_remove_member(*, team: Team, user: User) -> None:
    """Take ``user`` out of ``team``; their tickets in it stay assigned to them."""
    team.members.remove(user)
    if team.lead_id == user.pk:
        team.lead = None
        team.save(update_fields=["lead"])


def user_set_locale(*, user: User, locale: str) -> User:
    """The language a person reads the site in when signed in: one of ``settings.LANGUAGES``,
    or empty for their browser's choice."""
    locale = (locale or "").strip()
    if locale and locale not in dict(settings.LANGUAGES):
        raise ValidationFailed(_("Choose one of the languages offered."), field="locale")
    user.locale = locale
    user.save(update_fields=["locale"])
    return user
