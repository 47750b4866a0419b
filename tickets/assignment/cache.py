"""The ids of the teams that assign automatically, kept per process (``support.localcache``):
the change hook asks on every change whether a ticket's team assigns, without a query. Saving or
deleting a team reloads it in every process."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from accounts.models import AssignmentMode, Team
from support.localcache import ProcessCache


def _load() -> frozenset[int]:
    return frozenset(
        Team.objects.exclude(assignment_mode=AssignmentMode.OFF).values_list("pk", flat=True)
    )


assigning_team_ids: ProcessCache[frozenset[int]] = ProcessCache("assigning-teams", _load)


def _changed(sender, **kwargs) -> None:
    assigning_team_ids.invalidate()


post_save.connect(_changed, sender=Team, dispatch_uid="assignment-teams-save")
post_delete.connect(_changed, sender=Team, dispatch_uid="assignment-teams-delete")
