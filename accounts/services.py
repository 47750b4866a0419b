from __future__ import annotations

from django.db import transaction

from accounts.models import Availability, Role, Team, User, normalize_email
from accounts.signals import availability_changed
from support import clock
from support.errors import ValidationFailed
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
        raise ValidationFailed("A user with this email address already exists.", field="email")
    return User.objects.create_user(
        email, password, name=clean_name(name), role=role, time_zone=time_zone, locale=locale
    )


@transaction.atomic
def team_create(*, name: str, email: str = "", lead: User | None = None) -> Team:
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(f"A team called {name!r} already exists.", field="name")
    return Team.objects.create(name=name, email=email, lead=lead)


def team_add_member(*, team: Team, user: User) -> None:
    if not user.is_agent:
        raise ValidationFailed("Only agents and admins can be team members.")
    team.members.add(user)


@transaction.atomic
def agent_set_availability(*, agent: User, availability: str) -> User:
    """Set the agent's availability and, when it changes, the time it changed (away agents'
    tickets go back to their teams after a while) and tell ``availability_changed``."""
    if availability not in Availability.values:
        raise ValidationFailed(f"Unknown availability {availability!r}.", field="availability")
    if not agent.is_agent:
        raise ValidationFailed("Only agents have an availability.")
    old = agent.availability
    agent.availability = availability
    if old == availability:
        agent.save(update_fields=["availability"])
        return agent
    agent.availability_changed_at = clock.now()
    agent.save(update_fields=["availability", "availability_changed_at"])
    availability_changed.send(sender=User, user=agent, old=old, new=availability)
    return agent
