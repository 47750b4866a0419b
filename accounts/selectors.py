"""Reads of accounts that nearly every agent page makes: who can be picked as an assignee, which
teams exist.

The queue filters, the bulk bar and the ticket header each offer every active agent and every team
as ``<option>`` lists. At 200 agents that was two queries and 200 model instances per page. The
lists are small, change rarely and are the same for every agent, so they are kept in the cache as
plain ``(id, label)`` pairs and dropped when a user or team changes (at once and again after the
change commits; ``accounts.apps`` connects the signals). ``DIRECTORY_SECONDS`` bounds how long a
list can lag if a drop is ever missed (a race between a reader and a commit).
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from accounts.models import Role, Team, User

AGENTS_KEY = "accounts:agent-choices"
TEAMS_KEY = "accounts:team-choices"
DIRECTORY_SECONDS = 300

# The User fields the lists show or filter on; a save touching none of them (last_login,
# availability, password) keeps the cached lists.
AGENT_LIST_FIELDS = frozenset({"name", "email", "role", "is_active"})


def agent_choices() -> list[tuple[int, str]]:
    """Active agents and admins as ``(id, display name)``, ordered by name then email."""
    choices = cache.get(AGENTS_KEY)
    if choices is None:
        choices = [
            (user.pk, user.display_name)
            for user in User.objects.filter(role__in=[Role.AGENT, Role.ADMIN], is_active=True)
            .only("id", "name", "email")
            .order_by("name", "email")
        ]
        cache.set(AGENTS_KEY, choices, DIRECTORY_SECONDS)
    return choices


def team_choices() -> list[tuple[int, str]]:
    """Every team as ``(id, name)``, ordered by name."""
    choices = cache.get(TEAMS_KEY)
    if choices is None:
        choices = list(Team.objects.order_by("name").values_list("id", "name"))
        cache.set(TEAMS_KEY, choices, DIRECTORY_SECONDS)
    return choices


def directory_changed() -> None:
    """Drop the cached lists now and again when the current transaction commits: a page rendered
    meanwhile from the not yet committed state can't leave a stale list behind."""
    _drop_lists()
    transaction.on_commit(_drop_lists)


def _drop_lists() -> None:
    cache.delete_many([AGENTS_KEY, TEAMS_KEY])


# Marks on-commit work that only invalidates a cache (tests that count queued work skip it).
_drop_lists.invalidates_cache = True


def _user_saved(sender, instance: User, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not (AGENT_LIST_FIELDS & set(update_fields)):
        return
    directory_changed()


def _changed(sender, **kwargs) -> None:
    directory_changed()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_user_saved, sender=User, dispatch_uid="accounts-directory-user-saved")
    post_delete.connect(_changed, sender=User, dispatch_uid="accounts-directory-user-deleted")
    post_save.connect(_changed, sender=Team, dispatch_uid="accounts-directory-team-saved")
    post_delete.connect(_changed, sender=Team, dispatch_uid="accounts-directory-team-deleted")
