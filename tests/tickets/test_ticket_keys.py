"""SLA clocks and CSAT surveys carry a copy of their ticket's report keys (``TicketKeyed``): made
with the row, rewritten when the ticket's agent, team or organization changes, filled in bulk."""

from datetime import timedelta

import pytest

from feedback.models import CsatSurvey
from support import clock
from support.errors import InvalidChange
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


def test_backfill_fills_rows_written_in_bulk_and_only_those(desk):
    t = desk["ticket"]
    now = clock.now()
    SlaTarget.objects.bulk_create(
        [
            SlaTarget(
                ticket=t,
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
    bare = SlaTarget.objects.get(ticket=t, kind=TargetKind.NEXT_REPLY)
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
