"""What the agent workspace keeps for agents: saved queue views and canned responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from support import clock


class SavedView(models.Model):
    """A named queue filter an agent keeps; an admin can share one with teams."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    # The queue's query string parameters (status, priority, assignee, q, sort, ...).
    filters = models.JSONField(default=dict, blank=True)
    shared_with = models.ManyToManyField("accounts.Team", blank=True, related_name="saved_views")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="savedview_name_set")]

    def __str__(self) -> str:
        return self.name


class CannedResponse(models.Model):
    """A saved reply, personal (``owner``) or shared with a team (``team``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_responses",
    )
    title = models.CharField(max_length=100)
    # Typed after ";" in the composer to insert it, e.g. "refund" for ";refund".
    shortcut = models.SlugField(max_length=40)
    body = models.TextField()
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["shortcut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(team__isnull=False),
                name="canned_has_owner_or_team",
            )
        ]

    def __str__(self) -> str:
        return self.title
