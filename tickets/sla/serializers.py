"""The SLA part of a ticket's API representation (``sla``: the running clock and its targets),
used by ``tickets.serializers.TicketSerializer`` for lists, one ticket and a ticket just created."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from rest_framework import serializers

from support import clock
from support.api.serializers import iso_datetime
from tickets.models import Ticket
from tickets.sla.models import SlaTarget, TargetKind, TargetState
from tickets.sla.selectors import sla_clock_for, sla_clock_from_targets

if TYPE_CHECKING:
    from tickets.services import TicketAsCreated

# Where a list endpoint puts the clocks it prefetched (``Prefetch(..., to_attr=...)``).
LISTED_SLA_TARGETS = "listed_sla_targets"


class SlaClockSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["ok", "warning", "breached", "paused"])
    label = serializers.CharField(help_text="first response, next reply or resolution")
    text = serializers.CharField(help_text="e.g. 'first response in 42m'")
    due_at = serializers.DateTimeField(allow_null=True)


class SlaTargetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TargetKind.choices)
    state = serializers.ChoiceField(choices=TargetState.choices)
    target_minutes = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    warn_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    met = serializers.BooleanField()
    met_at = serializers.DateTimeField(allow_null=True)
    breached = serializers.BooleanField(help_text="Overdue now, or met late.")
    breached_at = serializers.DateTimeField(
        allow_null=True, help_text="When it fell due (set by the sweep; null if not yet swept)."
    )
    paused_since = serializers.DateTimeField(allow_null=True)


class TicketSlaSerializer(serializers.Serializer):
    policy_id = serializers.IntegerField(allow_null=True)
    policy_name = serializers.CharField(help_text="Kept if the policy was deleted; '' if none.")
    clock = SlaClockSerializer(allow_null=True, help_text="The nearest running clock.")
    targets = SlaTargetSerializer(
        many=True, help_text="The latest clock of each kind (cancelled ones left out)."
    )

    def to_representation(self, sla: dict) -> dict:
        """``sla`` as :func:`sla_representation` gives it, with its times as text."""
        zone = timezone.get_current_timezone()
        clock = sla["clock"]
        if clock is not None:
            clock = {**clock, "due_at": iso_datetime(clock["due_at"], zone)}
        return {
            "policy_id": sla["policy_id"],
            "policy_name": sla["policy_name"],
            "clock": clock,
            "targets": [
                {
                    **target,
                    "started_at": iso_datetime(target["started_at"], zone),
                    "warn_at": iso_datetime(target["warn_at"], zone),
                    "due_at": iso_datetime(target["due_at"], zone),
                    "met_at": iso_datetime(target["met_at"], zone),
                    "breached_at": iso_datetime(target["breached_at"], zone),
                    "paused_since": iso_datetime(target["paused_since"], zone),
                }
                for target in sla["targets"]
            ],
        }


def sla_representation(ticket: Ticket, *, written: TicketAsCreated | None = None) -> dict:
    """A ticket's SLA for agents, with no query per row: from the rows ``ticket_create`` just
    wrote (``written``), else from what the list query loaded (``tickets_with_sla_clock``,
    ``select_related("sla")``, ``sla_targets`` in ``LISTED_SLA_TARGETS``), else the rows."""
    now = clock.now()
    if written is not None:
        matched, targets = written.sla, written.sla_targets
        nearest = sla_clock_from_targets(ticket, targets=targets, now=now)
    else:
        try:
            matched = ticket.sla
        except ObjectDoesNotExist:
            matched = None
        targets = getattr(ticket, LISTED_SLA_TARGETS, None)
        if targets is None:
            targets = ticket.sla_targets.all()
        nearest = sla_clock_for(ticket, now=now)
    latest: dict[str, SlaTarget] = {}
    for target in targets:
        if target.state == TargetState.CANCELLED:
            continue
        current = latest.get(target.kind)
        if current is None or (target.started_at, target.pk) >= (current.started_at, current.pk):
            latest[target.kind] = target
    return {
        "policy_id": matched.policy_id if matched else None,
        "policy_name": matched.policy_name if matched else "",
        "clock": None
        if nearest is None
        else {
            "state": nearest.state,
            "label": nearest.label,
            "text": nearest.text,
            "due_at": nearest.due_at,
        },
        "targets": [
            {
                "kind": t.kind,
                "state": t.state,
                "target_minutes": t.target_minutes,
                "started_at": t.started_at,
                "warn_at": t.warn_at,
                "due_at": t.due_at,
                "met": t.state == TargetState.MET,
                "met_at": t.met_at,
                "breached": t.breached_at is not None
                or (t.met_at is not None and t.met_at > t.due_at)
                or (t.state == TargetState.RUNNING and t.due_at <= now),
                "breached_at": t.breached_at,
                "paused_since": t.paused_since,
            }
            for kind in TargetKind.values
            if (t := latest.get(kind)) is not None
        ],
    }


# The context: ``request`` (none for webhook payloads: no ``sla``), ``expand`` (the embedded
# objects), and ``written`` for a ticket this request created (its ``as_created``: tags and SLA
# are shown as written, not read back). (A class docstring would be the schema's description.)
