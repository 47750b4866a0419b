"""Bulk actions on selected queue rows: each through its service, errors reported per ticket."""

import pytest
from django.urls import reverse

from tests import factories
from tickets.models import EventKind, Status


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def rows(team, customer):
    return [factories.TicketFactory(team=team, requester=customer) for _ in range(3)]


def _bulk(client, action, tickets, **data):
    return client.post(
        reverse("workspace:bulk"),
        {"action": action, "ids": [t.pk for t in tickets], "back": "/agent/queues/all/", **data},
        follow=True,
    )


def test_bulk_assign_to_me(signed_in, agent, rows):
    response = _bulk(signed_in, "assign", rows, assignee="me")
    assert "Updated 3 ticket(s)." in response.content.decode()
    for t in rows:
        t.refresh_from_db()
        assert t.assignee == agent
        assert t.events.filter(kind=EventKind.ASSIGNEE_CHANGED).exists()


def test_bulk_status_priority_team_and_tags(signed_in, rows, team):
    _bulk(signed_in, "status", rows, status="pending")
    _bulk(signed_in, "priority", rows, priority="high")
    _bulk(signed_in, "tags", rows, tags_add="vip", tags_remove="")
    other_team = factories.TeamFactory()
    _bulk(signed_in, "team", rows[:1], team=str(other_team.pk))
    for t in rows:
        t.refresh_from_db()
        assert t.status == Status.PENDING and t.priority == "high"
        assert list(t.tags.values_list("name", flat=True)) == ["vip"]
    assert rows[0].team == other_team


def test_bulk_reports_each_refusal(signed_in, rows):
    response = _bulk(signed_in, "status", rows, status="closed")
    page = response.content.decode()
    for t in rows:
        assert f"#{t.pk}: Only a solved ticket can be closed." in page


def test_bulk_merge_into_one_and_into_itself(signed_in, rows):
    target = rows[0]
    response = _bulk(signed_in, "merge", rows, merge_into=f"#{target.pk}")
    assert "Merged 2 ticket(s)" in response.content.decode()
    for t in rows[1:]:
        t.refresh_from_db()
        assert t.merged_into == target
    response = _bulk(signed_in, "merge", [target], merge_into=str(target.pk))
    assert "can&#x27;t be merged into itself" in response.content.decode()


def test_bulk_merge_refuses_another_requesters_ticket(signed_in, rows, team):
    stranger = factories.TicketFactory(team=team)
    response = _bulk(signed_in, "merge", [stranger], merge_into=f"#{rows[0].pk}")
    assert "To merge anyway, confirm it on the merge page" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.merged_into_id is None


def test_bulk_on_an_unreachable_ticket_is_404_and_changes_nothing(signed_in, rows):
    hidden = factories.TicketFactory(team=factories.TeamFactory())
    response = signed_in.post(
        reverse("workspace:bulk"),
        {"action": "priority", "priority": "urgent", "ids": [rows[0].pk, hidden.pk]},
    )
    assert response.status_code == 404
    rows[0].refresh_from_db()
    assert rows[0].priority == "normal"


def test_bulk_without_selection_or_action_explains(signed_in, rows):
    assert "Select at least one" in _bulk(signed_in, "assign", []).content.decode()
    assert "Choose an action" in _bulk(signed_in, "explode", rows).content.decode()


def test_bulk_permissions(client, rows):
    assert client.post(reverse("workspace:bulk")).status_code == 302
    client.force_login(factories.CustomerUserFactory())
    assert client.post(reverse("workspace:bulk"), {"action": "assign"}).status_code == 404


def test_back_to_another_site_is_ignored(signed_in, rows):
    response = signed_in.post(
        reverse("workspace:bulk"),
        {"action": "priority", "priority": "high", "ids": [rows[0].pk], "back": "//evil.test/x"},
    )
    assert response.url == reverse("workspace:home")
