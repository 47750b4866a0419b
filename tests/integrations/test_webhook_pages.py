"""The webhook admin pages: create (the secret shown once), edit, disable and enable, a test
event sent by the worker path to a real local receiver, the log with retry; admins only (403),
CSRF-protected, bad input answered with form errors and nothing typed lost."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from integrations.services import webhook_subscription_create
from integrations.signing import verify
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def subscription(receiver, admin_user):
    return webhook_subscription_create(
        name="CRM", url=receiver.url, event_types=["ticket.created"], owner=admin_user
    )


def test_creating_a_webhook_shows_its_secret_once(admin_client, receiver):
    response = admin_client.post(
        reverse("webhook_new"),
        {"name": "CRM", "url": receiver.url, "event_types": ["ticket.created", "sla.breached"]},
    )
    subscription = WebhookSubscription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("webhook_detail", args=[subscription.pk])
    assert subscription.event_types == ["sla.breached", "ticket.created"]
    first = admin_client.get(response["Location"])
    assert subscription.secret in first.content.decode()
    assert "won't be shown again" in first.content.decode()
    again = admin_client.get(response["Location"])
    assert subscription.secret not in again.content.decode()
    assert subscription.secret not in admin_client.get(reverse("webhooks")).content.decode()


def test_bad_input_keeps_what_was_typed(admin_client):
    response = admin_client.post(
        reverse("webhook_new"), {"name": "Billing sync", "url": "not a url"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Billing sync"' in html and 'value="not a url"' in html
    assert "Enter a web address starting with http:// or https://" in html
    assert "Choose at least one event type." in html
    assert not WebhookSubscription.objects.exists()


def test_a_url_the_service_refuses_is_a_form_error_with_the_choices_kept(admin_client):
    response = admin_client.post(
        reverse("webhook_new"),
        {"url": "ftp://example.com/hooks", "event_types": ["message.created"]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "http:// or https://" in html
    assert 'value="message.created" checked' in html
    assert not WebhookSubscription.objects.exists()


def test_the_test_event_type_is_not_offered_to_subscribe(admin_client):
    html = admin_client.get(reverse("webhook_new")).content.decode()
    assert 'value="ticket.created"' in html
    assert 'value="webhook.test"' not in html
    response = admin_client.post(
        reverse("webhook_new"), {"url": "https://example.com/h", "event_types": ["webhook.test"]}
    )
    assert response.status_code == 400


def test_editing_keeps_the_secret_and_changes_the_rest(admin_client, subscription):
    secret = subscription.secret
    url = reverse("webhook_edit", args=[subscription.pk])
    assert 'value="CRM"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "name": "CRM v2",
            "url": subscription.url,
            "event_types": ["message.created"],
            "include_notes": "on",
        },
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.event_types) == ("CRM v2", ["message.created"])
    assert subscription.include_notes and subscription.secret == secret


def test_disable_enable_and_a_new_secret(admin_client, subscription):
    admin_client.post(reverse("webhook_action", args=[subscription.pk, "disable"]))
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_reason == "Turned off by hand."
    page = admin_client.get(reverse("webhook_detail", args=[subscription.pk])).content.decode()
    assert "Enable again" in page and "Send a test event" not in page
    refused = admin_client.post(reverse("webhook_action", args=[subscription.pk, "test"]))
    assert refused.status_code == 302 and not WebhookDelivery.objects.exists()
    admin_client.post(reverse("webhook_enable", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.is_active
    old = subscription.secret
    admin_client.post(reverse("webhook_action", args=[subscription.pk, "secret"]))
    subscription.refresh_from_db()
    assert subscription.secret != old
    shown = admin_client.get(reverse("webhook_detail", args=[subscription.pk])).content.decode()
    assert subscription.secret in shown


def test_a_test_event_is_queued_then_sent_signed_by_the_task(
    admin_client, subscription, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_client.post(reverse("webhook_action", args=[subscription.pk, "test"]))
    delivery = WebhookDelivery.objects.get()
    # The request only queued it: nothing was sent before the task ran.
    assert delivery.status == DeliveryStatus.PENDING and receiver.requests == []
    log = admin_client.get(
        reverse("webhook_detail", args=[subscription.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'hx-trigger="every 2s"' in log.content.decode()  # polls while the worker owes it
    for callback in callbacks:
        callback()
    (received,) = receiver.requests
    assert received.headers["X-Switchboard-Event"] == "webhook.test"
    assert received.json["data"]["test"] is True
    assert verify(
        secret=subscription.secret,
        body=received.body,
        header=received.headers["X-Switchboard-Signature"],
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    log = admin_client.get(
        reverse("webhook_detail", args=[subscription.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "every 2s" not in log and "Send again" in log and ">200<" in log


def test_a_failed_test_event_shows_the_code_and_retries(
    admin_client, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.script = [503]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("webhook_action", args=[subscription.pk, "test"]))
    page = admin_client.get(reverse("webhook_detail", args=[subscription.pk])).content.decode()
    assert "HTTP 503" in page and ">503<" in page and "Retry" in page
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("webhook_resend", args=[delivery.pk]))
    assert WebhookDelivery.objects.get(resent_from=delivery).status == DeliveryStatus.DELIVERED


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("webhooks", [], "get"),
        ("webhook_new", [], "get"),
        ("webhook_new", [], "post"),
        ("webhook_detail", ["sub"], "get"),
        ("webhook_edit", ["sub"], "post"),
        ("webhook_action", ["sub", "test"], "post"),
        ("webhook_enable", ["sub"], "post"),
    ],
)
def test_webhook_pages_are_for_admins_only(client, agent, subscription, name, args, method):
    url = reverse(name, args=[subscription.pk if a == "sub" else a for a in args])
    assert getattr(client, method)(url).status_code == 302  # anonymous: sign in first
    client.force_login(agent)
    assert getattr(client, method)(url).status_code == 403  # told it is for admins
    for user in (factories.ProductManagerFactory(), factories.CustomerUserFactory()):
        client.force_login(user)
        assert getattr(client, method)(url).status_code == 404  # not in the workspace at all
    assert not WebhookDelivery.objects.exists()
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.name == "CRM"


def test_forms_need_the_csrf_token(admin_user, receiver, subscription):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(reverse("webhook_new"), {"url": receiver.url}).status_code == 403
    assert strict.post(reverse("webhook_action", args=[subscription.pk, "test"])).status_code == 403
    assert 'name="csrfmiddlewaretoken"' in strict.get(reverse("webhook_new")).content.decode()
