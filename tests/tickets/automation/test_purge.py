"""Purging automation runs: a run goes once its ticket is closed or its period has moved on (and
it is older than AUTOMATION_RUN_KEEP_DAYS); the current period's run stays, so the automation
still acts once per period; bounded batches; running it twice deletes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support import clock
from tickets import services
from tickets.automation.models import AutomationRun
from tickets.automation.purge import automation_runs_purge
from tickets.automation.tasks import purge_automation_runs

from .test_sweep import at, automation, close_after, solved_ticket, sweep

pytestmark = pytest.mark.django_db
DAY = 24


def purge(hours: float, **kw) -> int:
    return automation_runs_purge(now=at(hours), **kw)


@pytest.fixture(autouse=True)
def _keep(settings):
    settings.AUTOMATION_RUN_KEEP_DAYS = 7


def test_runs_of_closed_tickets_go_once_old_enough(customer, team, agent):
    close_after(96)
    ticket = solved_ticket(customer, team, agent)
    assert sweep(97)["acted"] == 1  # closed by the automation; the run stays for now
    assert purge(97 + 6 * DAY) == 0  # younger than a week
    assert purge(97 + 8 * DAY) == 1
    assert not AutomationRun.objects.exists()
    assert purge(97 + 9 * DAY) == 0  # idempotent
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_the_current_periods_run_stays_and_still_stops_a_second_act(customer, team, agent):
    tag = automation(
        "Tag solved",
        {"all": [{"field": "hours_since_solved", "operator": "greater_than", "value": 1}]},
        [{"action": "add_tags", "value": "late"}],
    )
    ticket = solved_ticket(customer, team, agent)
    assert sweep(2)["acted"] == 1
    assert purge(2 + 30 * DAY) == 0  # the ticket is still solved since the same moment
    assert sweep(3 + 30 * DAY)["acted"] == 0
    # Reopened and solved again: a new period; the old run can go, the new one stays.
    with clock.travel(at(40 * DAY)):
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "open"})
        services.ticket_update(ticket=ticket, by=agent, changes={"status": "solved"})
    assert sweep(40 * DAY + 2)["acted"] == 1
    assert AutomationRun.objects.filter(automation=tag).count() == 2
    assert purge(50 * DAY) == 1
    assert list(AutomationRun.objects.values_list("period_at", flat=True)) == [at(40 * DAY)]
    assert sweep(50 * DAY + 1)["acted"] == 0


def test_runs_counting_from_creation_stay_while_the_ticket_lives(customer, team, agent):
    due = automation(
        "Escalate",
        {"all": [{"field": "hours_since_created", "operator": "greater_than", "value": 1}]},
        [{"action": "add_tags", "value": "old"}],
    )
    with clock.travel(at(0)):
        services.ticket_create(requester=customer, subject="Printer", body="x", team=team)
    assert sweep(2)["acted"] == 1
    assert purge(100 * DAY) == 0  # created_at never moves: the run is the period's
    assert AutomationRun.objects.filter(automation=due).count() == 1


def test_batches_are_bounded(customer, team, agent):
    close_after(96)
    for n in range(5):
        solved_ticket(customer, team, agent, when=n / 10)
    assert sweep(100)["acted"] == 5
    assert purge(100 + 8 * DAY, batch=2, limit=3) == 3
    assert AutomationRun.objects.count() == 2
    assert purge(100 + 8 * DAY, batch=2) == 2


def test_the_beat_task_purges(customer, team, agent):
    close_after(96)
    solved_ticket(customer, team, agent)
    sweep(97)
    with clock.travel(at(97) + timedelta(days=8)):
        assert purge_automation_runs() == 1
