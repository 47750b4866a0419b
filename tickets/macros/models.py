"""A macro: personal (``owner``), a team's (``team``) or shared with every agent (neither)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from support import clock


class MacroScope(models.TextChoices):
    PERSONAL = "personal", _("Only me")
    TEAM = "team", _("A team")
    SHARED = "shared", _("All agents")


class Macro(models.Model):
    """What to do to a ticket, as ``actions``: a dict checked by
    :func:`tickets.macros.services.macro_clean_actions` (the one place that knows its keys)."""

    title = models.CharField(max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="macros"
    )
    active = models.BooleanField(default=True)
    actions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=True) | Q(team__isnull=True),
                name="macro_owner_or_team",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope(self) -> str:
        if self.owner_id:
            return MacroScope.PERSONAL
        if self.team_id:
            return MacroScope.TEAM
        return MacroScope.SHARED
