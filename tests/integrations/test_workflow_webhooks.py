"""Routing rules, triggers, automations and macros changing (created, updated, deleted,
reordered) over the real API, sent signed to a real local HTTP receiver through the webhook
outbox (``tickets.automation.announce`` → ``integrations.handlers``)."""

from __future__ import annotations

import pytest

from integrations.handlers import queue_workflow_webhooks
from integrations.models import WebhookDelivery, WebhookEventType
from integrations.services import webhook_subscription_create
from integrations.signing import verify
from support.events import suppressed
from tests import factories
from tickets.automation import announce, services
from tickets.automation.models import Trigger, WorkflowEvent

pytestmark = pytest.mark.django_db
HIGH = [{"action": "set_priority", "value": "high"}]


@pytest.fixture
def admin(db):
    return factories.AdminFactory()


@pytest.fixture
def subscription(receiver, admin):
    return webhook_subscription_create(
        name="Config audit", url=receiver.url, event_types=announce.KINDS, owner=admin
    )


def _sent(receiver) -> list[tuple[str, dict]]:
    return [(r.headers["X-Switchboard-Event"], r.json["data"]) for r in receiver.requests]


def test_every_kind_is_a_webhook_event_type():
    assert set(announce.KINDS) <= set(WebhookEventType.values)


@pytest.mark.parametrize(
    ("path", "resource"),
    [("routing-rules", "routing_rule"), ("triggers", "trigger"), ("automations", "automation")],
)
def test_rule_changes_over_the_api_are_sent_signed(
    api, admin, receiver, subscription, path, resource, django_capture_on_commit_callbacks
):
    client = api(admin)
    conditions = (
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 96}]}
        if resource == "automation"
        else {}
    )
    body = {"name": "First", "conditions": conditions, "actions": HIGH}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/v1/{path}", body, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(f"/api/v1/{path}", {**body, "name": "Second"}, format="json").json()
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.patch(f"/api/v1/{path}/{first['id']}", {"is_active": False}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        copied = client.post(f"/api/v1/{path}/{first['id']}/copy")
    mine = [second["id"], copied.json()["id"], first["id"]]
    # Automations come with the shipped examples: every rule is named once in a new order.
    order = [r["id"] for r in client.get(f"/api/v1/{path}").json() if r["id"] not in mine] + mine
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/v1/{path}/reorder", {"ids": order}, format="json")
    with django_capture_on_commit_callbacks(execute=True):  # the same order again: no change
        client.post(f"/api/v1/{path}/reorder", {"ids": order}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.delete(f"/api/v1/{path}/{second['id']}")
    assert changed.status_code == 200 and copied.status_code == 201
    assert deleted.status_code == 204

    sent = _sent(receiver)
    assert [kind for kind, _ in sent] == [
        f"{resource}.created",
        f"{resource}.created",
        f"{resource}.updated",
        f"{resource}.created",
        f"{resource}.reordered",
        f"{resource}.deleted",
    ]
    assert sent[0][1][resource]["name"] == "First" and sent[0][1][resource]["actions"] == HIGH
    assert sent[0][1]["actor"] == {"type": "user", "id": admin.pk}
    assert sent[2][1][resource]["is_active"] is False
    assert sent[3][1][resource]["name"] == "First (copy)"
    assert sent[4][1]["order"] == order
    # A deleted rule is described as it was.
    assert sent[5][1][resource]["id"] == second["id"] and sent[5][1][resource]["name"] == "Second"
    for received in receiver.requests:
        assert verify(
            secret=subscription.secret,
            body=received.body,
            header=received.headers["X-Switchboard-Signature"],
        )


def test_macro_changes_over_the_api_are_sent(
    api, admin, receiver, subscription, django_capture_on_commit_callbacks
):
    client = api(admin)
    body = {"title": "Refund", "scope": "shared", "actions": {"status": "solved"}}
    with django_capture_on_commit_callbacks(execute=True):
        macro = client.post("/api/v1/macros", body, format="json")
    assert macro.status_code == 201, macro.json()
    macro_id = macro.json()["id"]
    etag = client.get(f"/api/v1/macros/{macro_id}")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        changed = client.patch(
            f"/api/v1/macros/{macro_id}",
            {"title": "Refund done"},
            format="json",
            HTTP_IF_MATCH=etag,
        )
    assert changed.status_code == 200, changed.json()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/macros/{macro_id}").status_code == 204
    sent = _sent(receiver)
    assert [kind for kind, _ in sent] == ["macro.created", "macro.updated", "macro.deleted"]
    assert sent[1][1]["macro"]["title"] == "Refund done"
    assert sent[2][1]["macro"] == {**sent[1][1]["macro"]}


def test_admin_page_actions_are_sent_too(
    client, admin, receiver, subscription, django_capture_on_commit_callbacks
):
    rule = services.rule_save(Trigger(), name="Urgent", conditions={}, actions=HIGH)
    receiver.requests.clear()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/automation/triggers/{rule.pk}/disable/")
    with django_capture_on_commit_callbacks(execute=True):  # already off: nothing changes
        client.post(f"/automation/triggers/{rule.pk}/disable/")
    assert [kind for kind, _ in _sent(receiver)] == ["trigger.updated"]
    assert _sent(receiver)[0][1]["trigger"]["is_active"] is False


def test_only_subscribers_of_the_type_hear_and_queueing_is_idempotent(admin, receiver):
    other = webhook_subscription_create(
        name="Tickets only", url=receiver.url, event_types=["ticket.created"], owner=admin
    )
    mine = webhook_subscription_create(
        name="Triggers", url=receiver.url, event_types=["trigger.created"], owner=admin
    )
    services.rule_save(Trigger(), by=admin, name="T", conditions={}, actions=HIGH)
    event = WorkflowEvent.objects.get()
    queue_workflow_webhooks(event)
    queue_workflow_webhooks(event)
    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [mine.pk]
    assert other.pk != mine.pk


def test_demo_data_loaded_with_history_suppressed_announces_nothing(admin):
    with suppressed():
        services.rule_save(Trigger(), by=admin, name="T", conditions={}, actions=HIGH)
    assert not WorkflowEvent.objects.exists()
