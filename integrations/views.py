"""Admin pages: webhook subscriptions (create, edit, disable, enable, new secret), a test event
sent by the worker, and the delivery log with retry. Admins only (403 for other roles); every
write goes through ``integrations.services``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import admin_required
from integrations.forms import WebhookForm
from integrations.models import WebhookDelivery, WebhookSubscription
from integrations.services import (
    webhook_delivery_resend,
    webhook_subscription_create,
    webhook_subscription_enable,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
    webhook_test_send,
)
from support.errors import DomainError
from tickets.workspace.views import nav_context

PURPOSE = _(
    "Webhooks: the addresses told about ticket events, their signing secrets and delivery log."
)

LOG_SIZE = 100
SHOW_ONCE_KEY = "webhook-secret"  # the session key holding a secret until it is shown once


def _show_secret_once(request: HttpRequest, subscription: WebhookSubscription, secret: str):
    request.session[SHOW_ONCE_KEY] = {"id": subscription.pk, "secret": secret}


@admin_required(PURPOSE)
def subscription_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "integrations/webhooks.html",
        {
            "subscriptions": WebhookSubscription.objects.select_related("owner"),
            **nav_context(request, current="webhooks"),
        },
    )


def _save(request: HttpRequest, form: WebhookForm, subscription: WebhookSubscription | None):
    data = form.cleaned_data
    try:
        if subscription is None:
            subscription = webhook_subscription_create(owner=request.user, **data)
            _show_secret_once(request, subscription, subscription.secret)
            messages.success(
                request, gettext("Webhook “%(name)s” created.") % {"name": subscription.name}
            )
        else:
            webhook_subscription_update(subscription=subscription, **data)
            messages.success(request, gettext("Webhook saved."))
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    return subscription


@admin_required(PURPOSE)
@require_http_methods(["GET", "POST"])
def subscription_form(request: HttpRequest, subscription_id: int | None = None) -> HttpResponse:
    subscription = (
        get_object_or_404(WebhookSubscription, pk=subscription_id) if subscription_id else None
    )
    status = 200
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            saved = _save(request, form, subscription)
            if saved is not None:
                return redirect("webhook_detail", saved.pk)
        status = 400
    elif subscription is not None:
        form = WebhookForm(
            initial={
                "name": subscription.name,
                "url": subscription.url,
                "event_types": subscription.event_types,
                "include_notes": subscription.include_notes,
            }
        )
    else:
        form = WebhookForm(initial={"event_types": ["ticket.created"]})
    context = {
        "form": form,
        "subscription": subscription,
        **nav_context(request, current="webhooks"),
    }
    return render(request, "integrations/webhook_form.html", context, status=status)


def _log(subscription: WebhookSubscription, status: str):
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
    if status:
        deliveries = deliveries.filter(status=status)
    return list(deliveries[:LOG_SIZE])


@admin_required(PURPOSE)
def subscription_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    status = request.GET.get("status", "")
    deliveries = _log(subscription, status)
    context = {
        "subscription": subscription,
        "deliveries": deliveries,
        "status": status,
        # The log refreshes itself while the worker still owes something.
        "in_flight": any(d.status in ("pending", "sending") for d in deliveries),
    }
    if request.htmx:
        return render(request, "integrations/_webhook_log.html", context)
    secret = request.session.get(SHOW_ONCE_KEY)
    if secret and secret.get("id") == subscription.pk:
        del request.session[SHOW_ONCE_KEY]  # shown once: a reload no longer has it
        context["new_secret"] = secret["secret"]
    return render(
        request,
        "integrations/webhook_detail.html",
        {**context, **nav_context(request, current="webhooks")},
    )


@admin_required(PURPOSE)
@require_POST
def subscription_action(request: HttpRequest, subscription_id: int, action: str) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    try:
        if action == "test":
            webhook_test_send(subscription=subscription, by=request.user)
            messages.success(
                request, gettext("Test event queued; the log below shows how it went.")
            )
        elif action == "enable":
            webhook_subscription_enable(subscription=subscription)
            messages.success(request, gettext("The subscription is active again."))
        elif action == "disable":
            webhook_subscription_update(subscription=subscription, is_active=False)
            messages.success(
                request, gettext("The subscription is disabled; nothing is sent to it.")
            )
        elif action == "secret":
            secret = webhook_subscription_rotate_secret(subscription=subscription)
            _show_secret_once(request, subscription, secret)
            messages.success(request, gettext("A new signing secret replaced the old one."))
        else:
            messages.error(request, gettext("Choose what to do."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("webhook_detail", subscription.pk)


@admin_required(PURPOSE)
@require_POST
def delivery_resend(request: HttpRequest, delivery_id) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id)
    webhook_delivery_resend(delivery=delivery, by=request.user)
    messages.success(request, gettext("The delivery was queued again."))
    return redirect("webhook_detail", delivery.subscription_id)
