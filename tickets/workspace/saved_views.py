"""Saved views: an agent's named queue filters, which an admin can share with teams.

The workspace pages and the API both write through these services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Team, User
from support.errors import NotFound, NotPermitted, ValidationFailed
from tickets.fields.filters import PREFIX, filterable_fields
from tickets.models import SavedView
from tickets.workspace.queues import FILTER_KEYS

NAME_MAX = 80
MAX_VALUES_PER_FILTER = 20
VALUE_MAX = 200
# ``field.<key>``: a custom field's key is a slug of at most 32 characters.
FIELD_FILTER_RE = re.compile(rf"^{re.escape(PREFIX)}[-a-zA-Z0-9_]{{1,32}}$")


def _require_agent(by: User) -> None:
    if not by.is_active or not by.is_agent:
        raise NotPermitted(_("Only agents have saved views."))


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(_("Give the view a name to save it."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _("A view's name can be at most %(NAME_MAX)s characters.") % {"NAME_MAX": NAME_MAX},
            field="name",
        )
    return name


def clean_filters(filters: Mapping[str, object]) -> dict[str, list[str]]:
    """Queue filters as stored: known keys only (``field.<key>`` for a field the queues filter
    by), each a list of non-empty strings."""
    fields = {PREFIX + f.key for f in filterable_fields()}
    keys = [*FILTER_KEYS, *sorted(k for k in filters if k in fields)]
    unknown = sorted(set(filters) - set(keys))
    unknown_fields = [k for k in unknown if FIELD_FILTER_RE.match(k)]
    if unknown_fields:
        # A well-formed field.<key> that names no field the queues filter by: like an id that
        # names nothing (docs/api.md, "Contract").
        raise NotFound(
            _("No ticket field to filter by: %(unknown_fields)s.")
            % {"unknown_fields": ", ".join(unknown_fields)},
            field="filters",
        )
    if unknown:
        raise ValidationFailed(
            _(
                "Unknown filters: %(unknown)s; choose from %(FILTER_KEYS)s or field.<key> of a "
                "ticket field."
            )
            % {"unknown": ", ".join(unknown), "FILTER_KEYS": ", ".join(FILTER_KEYS)},
            field="filters",
        )
    cleaned: dict[str, list[str]] = {}
    for key in keys:
        if key not in filters:
            continue
        raw = filters[key]
        values = raw if isinstance(raw, list | tuple) else [raw]
        if len(values) > MAX_VALUES_PER_FILTER or not all(
            isinstance(v, str) and len(v) <= VALUE_MAX for v in values
        ):
            raise ValidationFailed(
                _(
                    "The %(key)s filter takes up to %(MAX_VALUES_PER_FILTER)s texts of at most "
                    "%(VALUE_MAX)s characters."
                )
                % {
                    "key": key,
                    "MAX_VALUES_PER_FILTER": MAX_VALUES_PER_FILTER,
                    "VALUE_MAX": VALUE_MAX,
                },
                field="filters",
            )
        values = [v.strip() for v in values if v.strip()]
        if values:
            cleaned[key] = values
    return cleaned


@transaction.atomic
def saved_view_create(
    *,
    owner: User,
    name: str,
    filters: Mapping[str, object],
    share_with: Iterable[Team] = (),
) -> SavedView:
    """Save ``filters`` as ``owner``'s view; only admins may share it with teams."""
    _require_agent(owner)
    teams = list(share_with)
    if teams and not owner.is_admin:
        raise NotPermitted(_("Only admins can share views with teams."))
    view = SavedView.objects.create(
        owner=owner, name=_clean_name(name), filters=clean_filters(filters)
    )
    if teams:
        view.shared_with.set(teams)
    return view


@transaction.atomic
def saved_view_share(*, view: SavedView, teams: Iterable[Team], by: User) -> SavedView:
    """Replace the teams a view is shared with (admins, on their own views)."""
    if not by.is_active or not by.is_admin:
        raise NotPermitted(_("Only admins can share views with teams."))
    if view.owner_id != by.pk:
        raise NotPermitted(_("Only the view's owner can share it."))
    view.shared_with.set(list(teams))
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, by: User) -> None:
    if view.owner_id != by.pk:
        raise NotPermitted(_("Only the view's owner can delete it."))
    view.delete()
