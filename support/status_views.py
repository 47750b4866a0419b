"""The admins' "System status" page: every reading of ``support.status``, and the rows a person
acts on — failed outgoing mail (Resend), failed webhook deliveries (Resend), mail held for
review (Accept, when the hold was a failed sender check). Project wiring, like
``support.auth_views``: it shows the apps' rows, so it sits above them (pyproject.toml)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import admin_required
from integrations.models import DeliveryStatus, WebhookDelivery
from support.status import readings, version
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail, OutboundStatus
from tickets.mail.outbound import INTERRUPTED

PURPOSE = _("System status: the worker, the mail queues and held mail, for whoever runs the site.")

ROWS = 20


@never_cache
@admin_required(PURPOSE)
@require_GET
def status_page(request: HttpRequest) -> HttpResponse:
    sections = readings()
    failed_mail = list(
        OutboundEmail.objects.filter(status=OutboundStatus.FAILED)
        .only("pk", "kind", "to", "subject", "last_error", "ticket_id", "created_at", "request_id")
        .order_by("-created_at")[:ROWS]
    )
    for mail in failed_mail:
        mail.maybe_sent = mail.last_error == INTERRUPTED
    return render(
        request,
        "status/status.html",
        {
            "sections": sections,
            "warnings": sum(r.warn for section in sections.values() for r in section),
            "version": version(),
            "failed_mail": failed_mail,
            "failed_webhooks": WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED)
            .select_related("subscription")
            .order_by("-created_at")[:ROWS],
            "held_mail": InboundEmail.objects.filter(status=InboundStatus.REVIEW)
            .defer("raw")
            .order_by("-received_at")[:ROWS],
        },
    )
