"""The mail channel's lines on the status page and in /metrics (``support.status``): the outbox
(waiting, oldest, failed, interrupted mid-send) and inbound mail (waiting, failed, held)."""

from __future__ import annotations

from django.db.models import Count, Min
from django.urls import reverse

from support.status import Reading, age_seconds, describe_age
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail, OutboundStatus


def mail_readings() -> list[Reading]:
    out = dict(
        OutboundEmail.objects.filter(
            status__in=[OutboundStatus.PENDING, OutboundStatus.SENDING, OutboundStatus.FAILED]
        )
        .values_list("status")
        .annotate(n=Count("id"))
    )
    oldest = OutboundEmail.objects.filter(status=OutboundStatus.PENDING).aggregate(
        at=Min("created_at")
    )["at"]
    inbound = dict(
        InboundEmail.objects.filter(
            status__in=[InboundStatus.RECEIVED, InboundStatus.FAILED, InboundStatus.REVIEW]
        )
        .values_list("status")
        .annotate(n=Count("id"))
    )
    inbound_oldest = InboundEmail.objects.filter(status=InboundStatus.RECEIVED).aggregate(
        at=Min("received_at")
    )["at"]
    age, inbound_age = age_seconds(oldest), age_seconds(inbound_oldest)
    outbox = "switchboard_outbound_mail"
    failed_list = reverse("status") + "#failed-mail"
    inbound_list = reverse("mail:inbound_list")
    readings = [
        Reading(
            outbox,
            "Outgoing mail rows by status (pending, sending, failed).",
            float(out.get(status, 0)),
            f"Outgoing mail {status}: {out.get(status, 0)}",
            labels={"status": status},
            warn=status == OutboundStatus.FAILED and out.get(status, 0) > 0,
            link=failed_list if status == OutboundStatus.FAILED and out.get(status) else "",
        )
        for status in (OutboundStatus.PENDING, OutboundStatus.SENDING, OutboundStatus.FAILED)
    ]
    readings.append(
        Reading(
            "switchboard_outbound_mail_oldest_pending_age_seconds",
            "Age of the oldest outgoing mail not sent yet.",
            age,
            f"Oldest unsent mail: {describe_age(age) if oldest else 'none'}",
            warn=age > 900,
        )
    )
    readings.extend(
        Reading(
            "switchboard_inbound_mail",
            "Inbound mail rows waiting, failed or held for review.",
            float(inbound.get(status, 0)),
            f"Inbound mail {label}: {inbound.get(status, 0)}",
            labels={"status": status},
            warn=status != InboundStatus.RECEIVED and inbound.get(status, 0) > 0,
            link=f"{inbound_list}?status={status}"
            if status != InboundStatus.RECEIVED and inbound.get(status)
            else "",
        )
        for status, label in (
            (InboundStatus.RECEIVED, "waiting"),
            (InboundStatus.FAILED, "failed"),
            (InboundStatus.REVIEW, "held for review"),
        )
    )
    readings.append(
        Reading(
            "switchboard_inbound_mail_oldest_waiting_age_seconds",
            "Age of the oldest inbound mail not processed yet.",
            inbound_age,
            f"Oldest unprocessed inbound mail: "
            f"{describe_age(inbound_age) if inbound_oldest else 'none'}",
            warn=inbound_age > 900,
        )
    )
    return readings
