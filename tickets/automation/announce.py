"""Routing rules, triggers, automations and macros changing, on the one event stream
(``support.events``): ``<resource>.created``, ``.updated``, ``.deleted`` and (for the ordered
kinds) ``.reordered``. The services call :func:`announce` inside their transaction; the event
carries the resource as the API shows it at that moment (a deleted one as it was), so a webhook
describes the change as it happened. ``integrations`` turns them into webhooks;
``WorkflowEvent`` joins the stream in ``TicketsConfig.ready``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rest_framework.utils.encoders import JSONEncoder

from support import clock
from support.events import is_suppressed, publish_on_commit
from tickets.automation.models import WorkflowEvent

if TYPE_CHECKING:
    from accounts.models import User

ORDERED = ("routing_rule", "trigger", "automation")
RESOURCES = (*ORDERED, "macro")
VERBS = ("created", "updated", "deleted")
KINDS = tuple(
    [f"{resource}.{verb}" for resource in RESOURCES for verb in VERBS]
    + [f"{resource}.reordered" for resource in ORDERED]
)


def _actor(by: User | None) -> dict:
    return {"type": "user", "id": by.pk} if by is not None else {"type": "system", "id": None}


def _publish(kind: str, data: dict) -> WorkflowEvent | None:
    if kind not in KINDS:
        raise ValueError(f"Unknown workflow event kind {kind!r}.")
    if is_suppressed():  # importing history (demo data): nothing to announce
        return None
    data = json.loads(json.dumps(data, cls=JSONEncoder))  # stored as it will be sent
    event = WorkflowEvent.objects.create(kind=kind, data=data, at=clock.now())
    publish_on_commit(WorkflowEvent, [event.pk])
    return event


def representation(obj) -> tuple[str, dict]:
    """The resource's name and the API's representation of ``obj``."""
    from tickets.macros.models import Macro

    if isinstance(obj, Macro):
        from tickets.macros.serializers import MacroSerializer

        return "macro", dict(MacroSerializer(obj).data)
    from tickets.automation.serializers import rule_serializer

    return obj.kind, dict(rule_serializer(type(obj))(obj).data)


def announce(verb: str, obj, *, by: User | None) -> WorkflowEvent | None:
    """``obj`` was created, updated or (call it before the delete) is being deleted."""
    resource, shown = representation(obj)
    return _publish(f"{resource}.{verb}", {resource: shown, "actor": _actor(by)})


def announce_reorder(resource: str, ids: list[int], *, by: User | None) -> WorkflowEvent | None:
    """The rules of one kind now run in the order of ``ids``."""
    return _publish(f"{resource}.reordered", {"order": list(ids), "actor": _actor(by)})
