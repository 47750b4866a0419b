"""Schemathesis hooks for test_schemathesis.py (loaded through ``SCHEMATHESIS_HOOKS``).

An ``Idempotency-Key`` is kept per user for a day, whatever the path: the coverage phase sends
the same few keys with every body, so after the first request each other body was a 409 (the key
was used for another request) and was never read — a 409 counts as accepted, so the run passed
without checking those bodies. Every well-formed key is made unique — same characters first,
then a fresh suffix — so each body reaches the serializer. A malformed key (a negative case) is
sent as drawn. Replaying a key is tested on its own (tests/support/test_api.py and the API tests).

Operations on one object (``/{id}``) go to an object the test makes (``PINS``): a drawn id names
nothing, so the server answered 404 before reading the body. Only a schema-valid id is replaced:
a negative case's malformed id is sent as drawn and must still be refused. DELETE keeps drawn ids
(the objects must outlive the run); a webhook, a customer or organization field and a ticket's
survey and feedback links are pinned for reads only (a change would deliver, or would change
what the schema read at the start says).
"""

from __future__ import annotations

import re
import uuid

import schemathesis

KEY = re.compile(r"[!-~](?:[ -~]*[!-~])?")  # the header's schema pattern
ID = re.compile(r"[0-9]{1,18}")  # an id's schema pattern
# support.ids.MAX_ID (test_schemathesis.py holds them equal): schemathesis loads this file
# outside the project, where ``support`` isn't importable.
MAX_ID = 2**63 - 1

PINNED_ID = 4242  # one object of each kind below, made by test_schemathesis.py
MESSAGES_TICKET_ID = 4242  # the ticket new messages go to
TICKET_ID = 4243  # a ticket to read and change
TICKET_STATUS_ID = 4244  # a ticket whose status and assignee change
CUSTOMER_FIELD_ID = 4243  # organization and customer fields share a table: PINNED_ID is the former
_ONE = (
    "customers|organizations|macros|sla-policies|business-calendars|views|products|"
    "product-versions|product-components|routing-rules|triggers|automations|articles|"
    "article-categories|article-sections|feedback-items|teams|agents|ticket-forms"
)
PINS: list[tuple[re.Pattern[str], str, int]] = [
    (re.compile(rf"^(GET|PATCH) /api/v1/({_ONE})/\{{id\}}$"), "id", PINNED_ID),
    (
        re.compile(
            r"^POST /api/v1/((macros|routing-rules|triggers|automations)/\{id\}/copy"
            r"|articles/\{id\}/(publish|archive))$"
        ),
        "id",
        PINNED_ID,
    ),
    # Reads only: a field definition's change would reach rule and profile schemas read at
    # the start, and a webhook's would deliver.
    (
        re.compile(r"^GET /api/v1/(organization-fields|csat-responses|webhooks)/\{id\}$"),
        "id",
        PINNED_ID,
    ),
    (re.compile(r"^GET /api/v1/customer-fields/\{id\}$"), "id", CUSTOMER_FIELD_ID),
    (
        re.compile(r"^GET /api/v1/tickets/\{ticket_id\}/(messages|csat|feedback-links)$"),
        "ticket_id",
        MESSAGES_TICKET_ID,
    ),
    (re.compile(r"^(GET|PATCH) /api/v1/tickets/\{id\}$"), "id", TICKET_ID),
    (re.compile(r"^POST /api/v1/tickets/\{id\}/(status|assign)$"), "id", TICKET_STATUS_ID),
    (
        re.compile(r"^POST /api/v1/tickets/\{ticket_id\}/messages$"),
        "ticket_id",
        MESSAGES_TICKET_ID,
    ),
]


# Ids in a new object's body that must name something for the body to be read past them.
BODY_PINS: dict[str, dict[str, int]] = {
    "POST /api/v1/sla-policies": {"calendar_id": PINNED_ID},
}


@schemathesis.hook
def before_call(context, case, **kwargs):
    _pin(case)
    _pin_body(case)
    key = (case.headers or {}).get("Idempotency-Key")
    if not isinstance(key, str):
        return
    if len(key) <= 255 and KEY.fullmatch(key):
        case.headers["Idempotency-Key"] = f"{key[:242]}-{uuid.uuid4().hex[:12]}"


def _pin(case) -> None:
    name = f"{case.method.upper()} {case.operation.path}"
    for pattern, parameter, value in PINS:
        if pattern.fullmatch(name):
            drawn = (case.path_parameters or {}).get(parameter)
            if drawn is not None and ID.fullmatch(str(drawn)):
                case.path_parameters[parameter] = str(value)  # the schema: a string of digits
            return


def _pin_body(case) -> None:
    pins = BODY_PINS.get(f"{case.method.upper()} {case.operation.path}")
    if not pins or not isinstance(case.body, dict):
        return
    for key, value in pins.items():
        drawn = case.body.get(key)
        if isinstance(drawn, int) and not isinstance(drawn, bool) and 1 <= drawn <= MAX_ID:
            case.body[key] = value
