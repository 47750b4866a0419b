"""Admin pages: webhook subscriptions and their delivery log, with resend."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.services import webhook_delivery_resend, webhook_subscription_enable

LOG_SIZE = 100


@admin_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "integrations/webhooks.html",
        {"subscriptions": WebhookSubscription.objects.select_related("owner")},
    )


@admin_required
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    deliveries = subscription.deliveries.only(
        "id",
        "event_type",
        "status",
        "attempts",
        "response_code",
        "latency_ms",
        "response_excerpt",
        "last_error",
        "created_at",
        "next_attempt_at",
        "subscription_id",
    )
    status = request.GET.get("status", "")
    if status:
        deliveries = deliveries.filter(status=status)
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "subscription": subscription,
            "deliveries": deliveries[:LOG_SIZE],
            "status": status,
        },
    )


@admin_required
@require_POST
def delivery_resend(request: HttpRequest, delivery_id) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    webhook_delivery_resend(delivery=delivery, by=request.user)
    messages.success(request, "The delivery was queued again.")
    return redirect("webhook_detail", delivery.subscription_id)


@admin_required
@require_POST
def subscription_enable(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    webhook_subscription_enable(subscription=subscription)
    messages.success(request, "The subscription is active again.")
    return redirect("webhook_detail", subscription.pk)
