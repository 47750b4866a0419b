"""Every write to tickets goes through this package: validate, save, record a TicketEvent.

Web views, the API, inbound mail and Celery tasks all call these functions, so the rules live in
one place. Side effects (mail, webhooks, SLA, automation) are not sent here: each recorded event is
published after the transaction commits (see ``tickets.events``).

The package is split by concern: ``base`` holds the building blocks every service is made of (lock
a ticket, check who may act, add a message, touch the ticket, check attachments), ``create``
opens tickets, ``messages`` adds replies and notes, ``changes`` changes fields (one
``ticket_update`` for any set of them), ``merge`` folds tickets and customers together. The
names below are the app's write API; import them from here.
"""

from tickets.services.base import (
    check_attachments,
    clean_cc_addresses,
    customer_may_act,
    message_add,
    normalize_tag,
    require_agent,
    split_addresses,
    status_set,
    ticket_keys_backfill,
    ticket_keys_sync,
    ticket_lock,
    ticket_touch,
)
from tickets.services.changes import (
    TicketChanges,
    ticket_assign,
    ticket_change_status,
    ticket_follow,
    ticket_set_tags,
    ticket_unfollow,
    ticket_update,
)
from tickets.services.create import TicketAsCreated, ticket_create
from tickets.services.merge import customer_merge, ticket_merge
from tickets.services.messages import message_forward, ticket_note, ticket_reply

__all__ = [
    "TicketAsCreated",
    "TicketChanges",
    "check_attachments",
    "clean_cc_addresses",
    "customer_merge",
    "customer_may_act",
    "message_add",
    "message_forward",
    "normalize_tag",
    "require_agent",
    "split_addresses",
    "status_set",
    "ticket_assign",
    "ticket_change_status",
    "ticket_create",
    "ticket_follow",
    "ticket_keys_backfill",
    "ticket_keys_sync",
    "ticket_lock",
    "ticket_merge",
    "ticket_note",
    "ticket_reply",
    "ticket_set_tags",
    "ticket_touch",
    "ticket_unfollow",
    "ticket_update",
]
