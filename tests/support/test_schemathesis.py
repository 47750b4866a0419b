"""The published OpenAPI schema holds: schemathesis drives a live server with a real token with
all its checks — no server error, every status, content type and header as documented,
schema-invalid requests refused, schema-valid requests accepted, undeclared methods answered
405, authentication enforced. ``positive_data_acceptance`` takes a 400 only in the fuzzing phase,
for the few rules no schema states (``schemathesis.toml``; docs/api.md, "Contract").
``schemathesis_hooks.py`` sends operations on one object to objects made here and makes every
request's ``Idempotency-Key`` fresh: a drawn id's 404 or a reused key's 409 would hide the body."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management.color import no_style
from django.db import connection

from accounts.models import Team, User
from accounts.tokens import api_token_create
from customers.models import Customer, Organization, ProfileField
from feedback.models import CsatSurvey, FeedbackItem, TicketFeedbackLink
from integrations.models import WebhookSubscription
from kb.models import Article, Category, Section
from products.models import Component, Product, Version
from support import clock
from support.ids import MAX_ID
from tests import factories
from tests.customers import profile_setup
from tests.support import schemathesis_hooks
from tests.support.schemathesis_hooks import (
    CUSTOMER_FIELD_ID,
    MESSAGES_TICKET_ID,
    PINNED_ID,
    TICKET_ID,
    TICKET_STATUS_ID,
)
from tickets.automation.models import Automation, RoutingRule, Trigger
from tickets.automation.services import rule_save
from tickets.fields.models import TicketForm
from tickets.macros.models import Macro
from tickets.models import Ticket
from tickets.sla.models import BusinessCalendar, SlaPolicy
from tickets.workspace.models import SavedView

CONFIG = "schemathesis.toml"
HOOKS = "schemathesis_hooks.py"


PINNED_MODELS = [
    Ticket,
    Team,
    User,
    Organization,
    Customer,
    Automation,
    Article,
    BusinessCalendar,
    Category,
    Component,
    CsatSurvey,
    FeedbackItem,
    Macro,
    Product,
    ProfileField,
    RoutingRule,
    SavedView,
    Section,
    SlaPolicy,
    TicketForm,
    Trigger,
    Version,
    WebhookSubscription,
]


def test_the_hooks_bound_ids_as_the_schema_does():
    assert schemathesis_hooks.MAX_ID == MAX_ID


@pytest.fixture
def seeded(transactional_db, settings):
    settings.API_RATE_LIMIT_USER = 1_000_000
    settings.API_RATE_LIMIT_ANON = 1_000_000  # fuzzing sends many unauthenticated requests
    # The authentication checks send unknown tokens: past the limit every request from the
    # address, the real token's too, would be a 429 and leave the operation untested.
    settings.API_TOKEN_FAILURES_PER_MINUTE = 1_000_000
    team = factories.TeamFactory(pk=PINNED_ID)
    admin = factories.AdminFactory(pk=PINNED_ID, teams=[team])
    org = factories.OrganizationFactory(pk=PINNED_ID)
    customer = factories.CustomerFactory(pk=PINNED_ID, organization=org)
    for pk in (MESSAGES_TICKET_ID, TICKET_ID, TICKET_STATUS_ID):
        factories.TicketFactory(pk=pk, team=team, requester=customer)
    _pinned_objects(admin, team)
    # Rows made later (the run's POSTs) are numbered after them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), PINNED_MODELS):
            cursor.execute(sql)
    for _ in range(3):
        factories.TicketFactory(team=team, requester=factories.CustomerFactory(organization=org))
    # Custom fields of every kind: the served schema states each key and what it takes (macro
    # actions, customer and organization fields), so the checks hold the server to them.
    kinds = ("text", "long_text", "number", "decimal", "checkbox", "date")
    for kind in kinds:
        factories.TicketFieldFactory(key=f"t_{kind}", kind=kind)
    factories.TicketFieldFactory(key="t_choice", kind="choice", choices=["safari", "chrome"])
    factories.TicketFieldFactory(key="t_multi", kind="multi_choice", choices=["a", "b"])
    for target in (profile_setup.ORG, profile_setup.CUSTOMER):
        for kind in kinds:
            profile_setup.define(admin, target=target, key=f"p_{kind}", kind=kind)
        profile_setup.define(
            admin, target=target, key="p_choice", kind="choice", choices=[{"value": "pro"}]
        )
    _, raw = api_token_create(user=admin, name="schemathesis")
    return raw


def _pinned_objects(admin, team) -> None:
    """One object of each kind schemathesis.toml sends ``/{id}`` operations to, of ``PINNED_ID``."""
    calendar = factories.BusinessCalendarFactory(pk=PINNED_ID, always_open=True)
    factories.SlaPolicyFactory(pk=PINNED_ID, calendar=calendar)
    product = factories.ProductFactory(pk=PINNED_ID)
    factories.VersionFactory(pk=PINNED_ID, product=product)
    factories.ComponentFactory(pk=PINNED_ID, product=product)
    section = factories.KbSectionFactory(
        pk=PINNED_ID, category=factories.KbCategoryFactory(pk=PINNED_ID)
    )
    factories.KbArticleFactory(pk=PINNED_ID, section=section)
    Macro.objects.create(pk=PINNED_ID, title="Pinned", actions={"status": "pending"})
    SavedView.objects.create(pk=PINNED_ID, owner=admin, name="Pinned", filters={})
    item = FeedbackItem.objects.create(pk=PINNED_ID, title="Pinned")
    ticket = Ticket.objects.get(pk=MESSAGES_TICKET_ID)
    factories.MessageFactory(ticket=ticket)
    TicketFeedbackLink.objects.create(
        ticket=ticket, item=item, customer=ticket.requester, created_by=admin
    )
    CsatSurvey.objects.create(
        pk=PINNED_ID,
        ticket=ticket,
        customer=ticket.requester,
        token="pinned",
        due_at=clock.now(),
        sent_at=clock.now(),
        rating="good",
        comment="Quick",
        answered_at=clock.now(),
    )
    WebhookSubscription.objects.create(
        pk=PINNED_ID,
        name="Pinned",
        url="https://hooks.example.com/pinned",
        event_types=["ticket.created"],
        owner=admin,
        is_active=False,
    )
    profile_setup.define(admin, target=profile_setup.ORG, key="p_pinned", pk=PINNED_ID)
    profile_setup.define(admin, target=profile_setup.CUSTOMER, key="p_pinned", pk=CUSTOMER_FIELD_ID)
    TicketForm.objects.create(pk=PINNED_ID, name="Pinned")
    tags = [{"action": "add_tags", "value": "pinned"}]
    hours = {"field": "hours_since_created", "operator": "greater_than", "value": 1}
    for rule, conditions in (
        (RoutingRule(pk=PINNED_ID), {}),
        (Trigger(pk=PINNED_ID), {}),
        (Automation(pk=PINNED_ID), {"all": [hours]}),
    ):
        rule_save(rule, name="Pinned", conditions=conditions, actions=tags)


@pytest.mark.longest
def test_schemathesis_with_all_checks_finds_nothing(live_server, seeded, tmp_path):
    # Read the schema here: schemathesis gives loading it 10 seconds, which a busy shared
    # machine can take just to build it.
    schema = tmp_path / "schema.json"
    url = f"{live_server.url}/api/schema/?format=json"
    with urllib.request.urlopen(url, timeout=120) as answer:  # noqa: S310 - our live server
        schema.write_bytes(answer.read())
    executable = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    examples = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8")
    result = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [
            executable,
            "--config-file",
            os.environ.get("SCHEMATHESIS_CONFIG") or str(Path(__file__).with_name(CONFIG)),
            "run",
            str(schema),
            "--url",
            live_server.url,
            "--header",
            f"Authorization: Bearer {seeded}",
            "--checks",
            "all",
            # Timing is the benchmarks' job; a shared CI machine may be slow for a moment.
            "--max-response-time",
            "60",
            "--phases",
            os.environ.get("SCHEMATHESIS_PHASES", "examples,coverage,fuzzing"),
            "--max-examples",
            examples,
            "--workers",
            "1",
            "--seed",
            "1",
            "--request-timeout",
            "60",
            # While working on a few operations: SCHEMATHESIS_INCLUDE='^POST /api/v1/macros$'.
            *(
                ["--include-name-regex", os.environ["SCHEMATHESIS_INCLUDE"]]
                if os.environ.get("SCHEMATHESIS_INCLUDE")
                else []
            ),
        ],
        capture_output=True,
        text=True,
        # About 31,000 cases: 14 minutes beside the rest of the suite on a 2-core machine, 21
        # with the operations on one object sent to real objects (schemathesis_hooks.PINS).
        # It was 36 while the test server's answers waited 40 ms each for a delayed ACK
        # (tests/liveserver.py), so the limit leaves room for a busy machine.
        timeout=int(os.environ.get("SCHEMATHESIS_TIMEOUT", "3600")),
        check=False,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(Path(__file__).with_name(HOOKS))},
    )
    if os.environ.get("SCHEMATHESIS_OUTPUT"):  # the whole report, for a person to read
        Path(os.environ["SCHEMATHESIS_OUTPUT"]).write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    # An operation that mostly answered 429 was not tested at all.
    assert "Rate limited" not in result.stdout, result.stdout[-6000:]
