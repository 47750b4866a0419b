"""The request id follows the work onto the rows it queues: the outbound mail and the webhook
deliveries a request causes carry its ``X-Request-ID`` (as the log lines do), and the System
status page shows it beside a failed row, so one id finds the request, the task and the row."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import DeliveryStatus, WebhookDelivery
from integrations.services import webhook_subscription_create
from tests import factories
from tickets.mail.models import OutboundEmail, OutboundStatus

# Real commits: the side effects are queued when the request's transaction commits, inside it.
pytestmark = pytest.mark.django_db(transaction=True)


def test_mail_and_webhooks_queued_by_a_request_carry_its_id(receiver, admin_user, agent, ticket):
    webhook_subscription_create(
        name="Mirror", url=receiver.url, event_types=["message.created"], owner=admin_user
    )
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "We are on it.", "kind": "reply"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="reply-request-0001",
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "reply-request-0001"
    mail = OutboundEmail.objects.get(ticket=ticket, kind="reply")
    delivery = WebhookDelivery.objects.get(event_type="message.created")
    assert mail.request_id == delivery.request_id == "reply-request-0001"

    # Outside any request (a shell, a sweep) the field is empty, not made up.
    assert OutboundEmail(kind="x", to=[], subject="", body_text="").request_id == ""

    OutboundEmail.objects.filter(pk=mail.pk).update(status=OutboundStatus.FAILED, last_error="x")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    client.force_login(factories.AdminFactory(teams=[ticket.team]))
    page = client.get(reverse("status")).content.decode()
    assert page.count("<code>reply-request-0001</code>") == 2
