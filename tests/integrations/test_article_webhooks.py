"""``article.published`` / ``article.updated`` (from ``kb.events``), sent signed to a real local
HTTP receiver; internal-only articles are announced to nobody."""

from __future__ import annotations

import pytest

from integrations.handlers import queue_article_webhooks
from integrations.models import WebhookDelivery
from integrations.services import webhook_subscription_create
from integrations.signing import verify
from kb import services
from kb.models import KbEvent
from tests import factories

pytestmark = pytest.mark.django_db
TYPES = ["article.published", "article.updated"]


@pytest.fixture
def subscription(receiver, admin_user):
    return webhook_subscription_create(
        name="Docs mirror", url=receiver.url, event_types=TYPES, owner=admin_user
    )


def test_publishing_and_changing_a_public_article_are_sent_signed(
    receiver, subscription, agent, django_capture_on_commit_callbacks
):
    section = factories.KbSectionFactory()
    article = services.article_save(by=agent, section=section, title="Export", body="one")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_publish(article=article, by=agent)
    with django_capture_on_commit_callbacks(execute=True):
        services.article_save(by=agent, article=article, section=section, title="Export", body="2")
    with django_capture_on_commit_callbacks(execute=True):  # unchanged: no revision, no event
        services.article_save(by=agent, article=article, section=section, title="Export", body="2")

    kinds = [r.headers["X-Switchboard-Event"] for r in receiver.requests]
    assert kinds == ["article.published", "article.updated"]
    for received in receiver.requests:
        assert verify(
            secret=subscription.secret,
            body=received.body,
            header=received.headers["X-Switchboard-Signature"],
        )
    data = receiver.requests[1].json["data"]
    assert data["article"]["id"] == article.pk and data["article"]["body"] == "2"
    assert data["actor"] == {"type": "user", "id": agent.pk}


def test_internal_articles_and_drafts_are_announced_to_nobody(
    receiver, subscription, agent, django_capture_on_commit_callbacks
):
    section = factories.KbSectionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        internal = services.article_save(
            by=agent, section=section, title="Playbook", body="x", internal=True
        )
        services.article_publish(article=internal, by=agent)
        services.article_save(
            by=agent, article=internal, section=section, title="Playbook", body="y", internal=True
        )
        services.article_save(by=agent, section=section, title="Draft", body="x")
    assert not KbEvent.objects.exists()
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_queueing_is_idempotent_and_skips_an_article_made_internal_since(subscription, agent):
    section = factories.KbSectionFactory()
    article = services.article_save(by=agent, section=section, title="Export", body="one")
    services.article_publish(article=article, by=agent)
    event = KbEvent.objects.get()
    queue_article_webhooks(event)
    queue_article_webhooks(event)
    assert WebhookDelivery.objects.count() == 1
    services.article_save(
        by=agent, article=article, section=section, title="Export", body="one", internal=True
    )
    WebhookDelivery.objects.all().delete()
    queue_article_webhooks(event)
    assert not WebhookDelivery.objects.exists()
