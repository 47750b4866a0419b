"""SLA clocks and CSAT surveys carry a copy of their ticket's report keys (``TicketKeyed``): made
with the row, rewritten when the ticket's agent, team, organization, product, version or component
changes, filled in bulk."""

import importlib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from feedback.models import CsatSurvey
from support import clock
from support.errors import InvalidChange, ValidationFailed
from tests import factories
from tickets import services
from tickets.models import Channel, Status
from tickets.sla.models import SlaTarget, TargetKind

pytestmark = pytest.mark.django_db


def keys(row) -> tuple:
    row.refresh_from_db()
    return (
        row.ticket_assignee_id,
        row.ticket_team_id,
        row.ticket_organization_id,
        row.ticket_channel,
    )


@pytest.fixture
def desk():
    team, other = factories.TeamFactory(), factories.TeamFactory()
    agent = factories.AgentFactory(teams=[team])
    colleague = factories.AgentFactory(teams=[other])
    org = factories.OrganizationFactory()
    factories.SlaPolicyFactory(is_default=True)
    ticket = services.ticket_create(
        requester=factories.CustomerFactory(organization=org),
        subject="Printer on fire",
        body="Help",
        channel=Channel.EMAIL,
        team=team,
        assignee=agent,
    )
    return {"team": team, "other": other, "agent": agent, "colleague": colleague, "ticket": ticket}


def test_the_sla_engine_copies_the_keys_onto_the_clocks_it_starts(desk):
    t = desk["ticket"]
    clocks = list(SlaTarget.objects.filter(ticket=t))
    assert {c.kind for c in clocks} == {TargetKind.FIRST_RESPONSE, TargetKind.RESOLUTION}
    for c in clocks:
        assert keys(c) == (desk["agent"].pk, desk["team"].pk, t.organization_id, Channel.EMAIL)


def test_reassigning_rewrites_the_copy_on_clocks_and_survey(desk):
    t = desk["ticket"]
    survey = CsatSurvey.objects.create(
        ticket=t, customer=t.requester, token="tok", due_at=clock.now()
    )
    services.ticket_assign(ticket=t, by=None, team=desk["other"], assignee=desk["colleague"])
    expected = (desk["colleague"].pk, desk["other"].pk, t.organization_id, Channel.EMAIL)
    assert keys(survey) == expected
    assert {keys(c) for c in SlaTarget.objects.filter(ticket=t)} == {expected}
    services.ticket_assign(ticket=t, by=None, assignee=None)
    assert keys(survey)[0] is None


def test_a_customer_merge_that_brings_an_organization_rewrites_it(desk):
    agent = desk["agent"]
    lone = factories.CustomerFactory(organization=None)
    t = services.ticket_create(requester=lone, subject="No org yet", body="x")
    org = factories.OrganizationFactory()
    services.customer_merge(
        source=lone, target=factories.CustomerFactory(organization=org), by=agent
    )
    assert {keys(c)[2] for c in SlaTarget.objects.filter(ticket=t)} == {org.pk}


def test_deleting_a_team_clears_the_copy_as_it_clears_the_ticket(desk):
    t = desk["ticket"]
    desk["team"].delete()
    t.refresh_from_db()
    assert t.team_id is None
    assert {keys(c)[1] for c in SlaTarget.objects.filter(ticket=t)} == {None}


def _bare_clock(ticket) -> SlaTarget:
    """A met next-reply clock written in bulk, as an import does: no copy of the ticket's keys."""
    now = clock.now()
    SlaTarget.objects.bulk_create(
        [
            SlaTarget(
                ticket=ticket,
                kind=TargetKind.NEXT_REPLY,
                state="met",
                target_minutes=60,
                started_at=now,
                due_at=now + timedelta(hours=1),
                warn_at=now,
                met_at=now,
            )
        ]
    )
    return SlaTarget.objects.get(ticket=ticket, kind=TargetKind.NEXT_REPLY)


def test_backfill_fills_rows_written_in_bulk_and_only_those(desk):
    t = desk["ticket"]
    bare = _bare_clock(t)
    assert keys(bare) == (None, None, None, "")
    assert services.ticket_keys_backfill() == 1
    assert keys(bare) == (desk["agent"].pk, desk["team"].pk, t.organization_id, Channel.EMAIL)
    assert services.ticket_keys_backfill() == 0


def test_a_closed_ticket_keeps_its_copy(desk):
    t = desk["ticket"]
    t.status = Status.CLOSED
    t.closed_at = clock.now()
    t.save()
    with pytest.raises(InvalidChange):
        services.ticket_assign(ticket=t, by=None, assignee=None)
    assert {keys(c)[0] for c in SlaTarget.objects.filter(ticket=t)} == {desk["agent"].pk}


def test_the_csat_service_copies_the_keys_onto_the_survey_it_makes(desk):
    from feedback.services import csat_survey_schedule

    t = desk["ticket"]
    services.ticket_change_status(ticket=t, status=Status.SOLVED, by=desk["agent"])
    survey = csat_survey_schedule(ticket=t)
    assert keys(survey) == (desk["agent"].pk, desk["team"].pk, t.organization_id, Channel.EMAIL)


# --- product, version and component (issue 17: the reports' product filters) --------------------


def product_keys(row) -> tuple:
    row.refresh_from_db()
    return (row.ticket_product_id, row.ticket_version_id, row.ticket_component_id)


@pytest.fixture
def catalog_():
    cloud, desktop = factories.ProductFactory(name="Cloud"), factories.ProductFactory(name="Desk")
    return {
        "cloud": cloud,
        "desktop": desktop,
        "v41": factories.VersionFactory(product=cloud, name="4.1"),
        "v42": factories.VersionFactory(product=cloud, name="4.2"),
        "billing": factories.ComponentFactory(product=cloud, name="Billing"),
        "d1": factories.VersionFactory(product=desktop, name="1.0"),
    }


def test_a_new_ticket_s_clocks_carry_its_product_version_and_component(catalog_):
    factories.SlaPolicyFactory(is_default=True)
    c = catalog_
    t = services.ticket_create(
        requester=factories.CustomerFactory(),
        subject="Invoice wrong",
        body="x",
        product=c["cloud"],
        version=c["v41"],
        component=c["billing"],
    )
    clocks = list(SlaTarget.objects.filter(ticket=t))
    assert clocks
    assert {product_keys(k) for k in clocks} == {(c["cloud"].pk, c["v41"].pk, c["billing"].pk)}


def test_ticket_update_rewrites_the_product_copy_in_the_same_change(desk, catalog_):
    c, t, agent = catalog_, desk["ticket"], desk["agent"]
    survey = CsatSurvey.objects.create(
        ticket=t, customer=t.requester, token="tok", due_at=clock.now()
    )
    services.ticket_update(
        ticket=t,
        by=agent,
        changes={"product": c["cloud"], "version": c["v42"], "component": c["billing"]},
    )
    expected = (c["cloud"].pk, c["v42"].pk, c["billing"].pk)
    assert product_keys(survey) == expected
    assert {product_keys(k) for k in SlaTarget.objects.filter(ticket=t)} == {expected}
    # Another product alone: the version and component of the old one are cleared, copies too.
    services.ticket_update(ticket=t, by=agent, changes={"product": c["desktop"]})
    assert product_keys(survey) == (c["desktop"].pk, None, None)
    services.ticket_update(ticket=t, by=agent, changes={"version": c["d1"]})
    assert product_keys(survey) == (c["desktop"].pk, c["d1"].pk, None)
    services.ticket_update(ticket=t, by=agent, changes={"product": None})
    assert product_keys(survey) == (None, None, None)
    # The other keys are untouched by it.
    assert keys(survey)[:2] == (agent.pk, desk["team"].pk)


def test_a_refused_product_change_leaves_the_copy(desk, catalog_):
    c, t = catalog_, desk["ticket"]
    services.ticket_update(ticket=t, by=desk["agent"], changes={"product": c["cloud"]})
    with pytest.raises(ValidationFailed):
        services.ticket_update(
            ticket=t, by=desk["agent"], changes={"product": c["cloud"], "version": c["d1"]}
        )
    assert {product_keys(k) for k in SlaTarget.objects.filter(ticket=t)} == {
        (c["cloud"].pk, None, None)
    }


def test_the_bulk_product_action_rewrites_the_copies(client, desk, catalog_):
    c = catalog_
    other = services.ticket_create(
        requester=factories.CustomerFactory(), subject="Second", body="x", team=desk["team"]
    )
    client.force_login(desk["agent"])
    response = client.post(
        reverse("workspace:bulk"),
        {
            "action": "product",
            "ids": [desk["ticket"].pk, other.pk],
            "product": c["cloud"].pk,
            "version": c["v41"].pk,
            "back": "/agent/queues/all/",
        },
    )
    assert response.status_code == 302
    clocks = SlaTarget.objects.filter(ticket__in=[desk["ticket"], other])
    assert clocks.count() == 4
    assert {product_keys(k) for k in clocks} == {(c["cloud"].pk, c["v41"].pk, None)}


def test_backfill_copies_the_product_too(desk, catalog_):
    c, t = catalog_, desk["ticket"]
    services.ticket_update(ticket=t, by=None, changes={"product": c["cloud"], "version": c["v41"]})
    bare = _bare_clock(t)
    assert product_keys(bare) == (None, None, None)
    assert services.ticket_keys_backfill() == 1
    assert product_keys(bare) == (c["cloud"].pk, c["v41"].pk, None)


@pytest.mark.parametrize(
    ("module", "model"),
    [
        ("tickets.migrations.0005_slatarget_product_keys", SlaTarget),
        ("feedback.migrations.0002_csatsurvey_product_keys", CsatSurvey),
    ],
)
def test_the_migrations_fill_the_product_copy_of_existing_rows(desk, catalog_, module, model):
    """The data step of each migration: one UPDATE over the rows whose ticket names a product."""
    from django.apps import apps
    from django.db import connection

    c, t = catalog_, desk["ticket"]
    services.ticket_update(ticket=t, by=None, changes={"product": c["cloud"], "version": c["v42"]})
    plain = services.ticket_create(requester=factories.CustomerFactory(), subject="s", body="x")
    for ticket in (t, plain):
        CsatSurvey.objects.create(
            ticket=ticket, customer=ticket.requester, token=f"m{ticket.pk}", due_at=clock.now()
        )
    model.objects.update(ticket_product=None, ticket_version=None)  # as before the migration
    migration = importlib.import_module(module)
    migration.copy_product_keys(apps, SimpleNamespace(connection=connection))
    assert {product_keys(r) for r in model.objects.filter(ticket=t)} == {
        (c["cloud"].pk, c["v42"].pk, None)
    }
    assert {product_keys(r) for r in model.objects.filter(ticket=plain)} == {(None, None, None)}


def test_deleting_a_product_no_ticket_names_reads_no_clock_or_survey(catalog_):
    """The copy needs no clearing (a ticket's ``PROTECT`` keeps what it names), so deleting a
    product, its versions and components scans no clocks or surveys (millions at scale)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from products.services import product_delete

    with CaptureQueriesContext(connection) as queries:
        product_delete(product=catalog_["cloud"], by=factories.AdminFactory())
    touched = [q["sql"] for q in queries if "slatarget" in q["sql"] or "csatsurvey" in q["sql"]]
    assert touched == []
    assert not SlaTarget.objects.filter(ticket_product_id=catalog_["cloud"].pk).exists()
