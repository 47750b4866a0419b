"""SLA models: business calendars, policies, and each ticket's clocks (one row per target).

Imported by ``tickets.models`` so Django registers them in the ``tickets`` app.
"""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from support import clock
from tickets.models import TicketKeyed
from tickets.sla import business_time


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(value)s is not a known time zone.") % {"value": repr(value)}
        )


def default_hours() -> dict:
    return {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


class BusinessCalendar(models.Model):
    """When a team is open: time zone, weekly hours ({"mon": [["09:00", "17:00"]]}), holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    always_open = models.BooleanField("Open 24/7", default=False)
    hours = models.JSONField(default=default_hours, blank=True)
    # ISO 3166 code whose public holidays were seeded (``holidays`` package), for reseeding.
    holiday_country = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.as_calendar(holidays=())
        except (business_time.CalendarError, ValueError, TypeError) as exc:
            raise ValidationError({"hours": str(exc)}) from exc

    def as_calendar(self, holidays=None) -> business_time.Calendar:
        """The pure value the arithmetic works on."""
        if holidays is None:
            holidays = self.holiday_dates()
        return business_time.Calendar.from_spec(
            time_zone=self.time_zone,
            hours=self.hours or {},
            holidays=holidays,
            always_open=self.always_open,
        )

    def holiday_dates(self) -> frozenset[date]:
        cache = getattr(self, "_holiday_cache", None)
        if cache is None:
            cache = frozenset(self.holidays.values_list("date", flat=True))
            self._holiday_cache = cache
        return cache


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SlaPolicy(models.Model):
    """Targets for the tickets it matches. Policies are tried by ``position``; first match wins,
    the default policy applies when none matches. An empty condition matches anything."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(
        default=False, help_text="Applies when no other policy matches."
    )
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")

    # Conditions (all that are set must hold; within one, any listed value matches).
    priorities = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    types = models.JSONField(default=list, blank=True)
    # Product ids (products app): a JSON list like the choices above, read from the policies'
    # per-process cache without a join.
    products = models.JSONField(default=list, blank=True)
    # Custom choice fields: {"browser": ["safari", "chrome"]} (choices' stable values); the
    # ticket's value (one of a multiple-choice's values) must be one of them.
    field_values = models.JSONField(default=dict, blank=True)
    organizations = models.ManyToManyField("customers.Organization", blank=True, related_name="+")
    tags = models.ManyToManyField("tickets.Tag", blank=True, related_name="+")

    # Targets, in minutes of business time; empty means no target.
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    warning_percent = models.PositiveSmallIntegerField(
        default=75, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )

    # Escalation.
    warning_raise_priority = models.BooleanField(default=False)
    warning_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    breach_raise_priority = models.BooleanField(default=False)
    breach_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notify = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Also told about every warning and breach.",
    )

    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_policy"
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_warning_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def target_minutes(self, kind: str) -> int | None:
        return getattr(self, f"{kind}_minutes")


class TargetKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_REPLY = "next_reply", _("Next reply")
    RESOLUTION = "resolution", _("Resolution")


class TargetState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    CANCELLED = "cancelled", _("Cancelled")


class TicketSla(models.Model):
    """Which policy a ticket matched, and when."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla"
    )
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy_name = models.CharField(max_length=100, blank=True)  # kept if the policy is deleted
    matched_at = models.DateTimeField(default=clock.now)
    # Set by a rule's "apply SLA policy" action: the policy stays when priority, type, tags or
    # organization change (no re-matching) until another rule applies one.
    pinned = models.BooleanField(default=False)

    class Meta:
        # The SLA pages count the tickets a rule pinned to each policy.
        indexes = [
            models.Index(
                fields=["policy"], condition=models.Q(pinned=True), name="ticket_sla_pinned_idx"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id}: {self.policy_name or 'no SLA'}"


# The copy of the ticket's report keys (``TicketKeyed``), as the reports' indexes include it.
KEYS = [
    "ticket_assignee",
    "ticket_team",
    "ticket_organization",
    "ticket_channel",
    "ticket_product",
    "ticket_version",
    "ticket_component",
]


class SlaTarget(TicketKeyed):
    """One clock of one ticket: a first response, one next reply (a new row per customer message
    waiting for an answer), or the resolution. Kept after the ticket closes, for reports.

    ``due_at = add_business_time(started_at, target + paused)``: time spent paused (pending, on
    hold, solved before a reopen) is added back, so it doesn't count against the target.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_targets"
    )
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    state = models.CharField(
        max_length=16, choices=TargetState.choices, default=TargetState.RUNNING
    )
    target_minutes = models.PositiveIntegerField()
    warning_percent = models.PositiveSmallIntegerField(default=75)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(default=0)  # business seconds spent paused
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)  # the true breach time (its due_at)
    met_at = models.DateTimeField(null=True, blank=True)
    business_seconds_taken = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values), name="sla_target_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=TargetState.values), name="sla_target_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=TargetState.PAUSED) | Q(paused_since__isnull=False),
                name="sla_target_paused_has_since",
            ),
            # At most one live clock of each kind per ticket.
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(state__in=[TargetState.RUNNING, TargetState.PAUSED]),
                name="sla_target_one_live_per_kind",
            ),
        ]
        indexes = [
            # The sweep reads only these: its cost follows the number of clocks due, not tickets.
            models.Index(
                fields=["due_at"],
                name="sla_target_breach_due_idx",
                condition=Q(state=TargetState.RUNNING, breached_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="sla_target_warn_due_idx",
                condition=Q(
                    state=TargetState.RUNNING, warned_at__isnull=True, breached_at__isnull=True
                ),
            ),
            models.Index(fields=["ticket", "kind"], name="sla_target_ticket_idx"),
            # The "SLA at risk" view and its sidebar count: running clocks not yet due, read
            # index-only (a clock past its warning point has ``warn_at <= now``).
            models.Index(
                fields=["due_at"],
                include=["warn_at", "ticket"],
                name="sla_target_running_due_idx",
                condition=Q(state=TargetState.RUNNING),
            ),
            # Reports (the reports app): clocks met, breached, or first responses met by when
            # they started, in a date range — each read index-only, with the copy of the
            # ticket's keys the reports group and filter by (``TicketKeyed``).
            models.Index(
                fields=["kind", "met_at"],
                include=[*KEYS, "state", "due_at", "breached_at", "business_seconds_taken"],
                name="sla_target_met_idx",
                condition=Q(met_at__isnull=False),
            ),
            models.Index(
                fields=["kind", "breached_at"],
                include=KEYS,
                name="sla_target_breached_idx",
                condition=Q(breached_at__isnull=False),
            ),
            models.Index(
                fields=["started_at"],
                include=[*KEYS, "business_seconds_taken"],
                name="sla_target_fr_met_idx",
                condition=Q(kind=TargetKind.FIRST_RESPONSE, state=TargetState.MET),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of #{self.ticket_id}"

    @property
    def is_live(self) -> bool:
        return self.state in (TargetState.RUNNING, TargetState.PAUSED)
