"""Availability goes stale: an agent online whose workspace sends no heartbeat for
AGENT_AWAY_AFTER_SECONDS is set away (from when last seen), is never picked meanwhile, and a
team's "return after N minutes" counts from then. The heartbeat endpoint and its permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import AssignmentMode, Availability, User
from accounts.services import agent_heartbeat, agent_set_availability, agents_expire_away
from accounts.signals import availability_changed
from support import clock
from tests import factories
from tickets.assignment.tasks import sweep_assignment

from .test_assignment import new_ticket, online

pytestmark = pytest.mark.django_db
URL = "/agent/availability/heartbeat/"


@pytest.fixture(autouse=True)
def _timeout(settings):
    settings.AGENT_AWAY_AFTER_SECONDS = 300


@pytest.fixture
def billing():
    return factories.TeamFactory(name="Billing", assignment_mode=AssignmentMode.ROUND_ROBIN)


def minutes(start, n):
    return clock.travel(start + timedelta(minutes=n))


def test_heartbeats_keep_an_agent_online_silence_sets_her_away_from_when_last_seen(billing):
    heard = []

    def listen(sender, *, user, old, new, **kwargs):
        heard.append((user.pk, old, new))

    availability_changed.connect(listen)
    try:
        start = clock.now()
        (ann,) = online(billing)
        with minutes(start, 0):
            agent_set_availability(agent=ann, availability=Availability.ONLINE)
        for n in (4, 8, 12):  # an open page
            with minutes(start, n):
                agent_heartbeat(agent=ann)
                assert agents_expire_away() == []
        with minutes(start, 16):  # the browser was closed after minute 12
            assert agents_expire_away() == []
        with minutes(start, 18):
            assert agents_expire_away() == [ann.pk]
            assert agents_expire_away() == []  # idempotent
    finally:
        availability_changed.disconnect(listen)
    ann.refresh_from_db()
    assert ann.availability == Availability.AWAY
    assert ann.availability_changed_at == start + timedelta(minutes=12)
    assert heard == [(ann.pk, Availability.ONLINE, Availability.AWAY)]


def test_a_silent_online_agent_is_not_picked_even_before_the_sweep(billing, customer):
    start = clock.now()
    with minutes(start, 0):
        gone, here = online(billing, 2)
    with minutes(start, 10):
        agent_heartbeat(agent=here)
        assert new_ticket(customer, billing).assignee == here
        assert new_ticket(customer, billing).assignee == here
    gone.refresh_from_db()
    assert gone.availability == Availability.ONLINE  # the sweep hasn't run yet


def test_return_after_n_minutes_counts_from_when_the_agent_was_last_seen(customer):
    team = factories.TeamFactory(
        name="Sales", assignment_mode=AssignmentMode.ROUND_ROBIN, return_after_minutes=30
    )
    start = clock.now()
    with minutes(start, 0):
        (ann,) = online(team)
        ticket = new_ticket(customer, team)
    assert ticket.assignee == ann
    with minutes(start, 6):
        assert sweep_assignment() == {"expired": 1, "returned": 0, "assigned": 0}
    with minutes(start, 29):
        assert sweep_assignment() == {"expired": 0, "returned": 0, "assigned": 0}
    with minutes(start, 31):
        assert sweep_assignment() == {"expired": 0, "returned": 1, "assigned": 0}
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.team == team


def test_the_heartbeat_writes_at_most_every_15_seconds(billing, django_assert_num_queries):
    (ann,) = online(billing)
    start = clock.now()
    with clock.travel(start + timedelta(seconds=20)):
        agent_heartbeat(agent=ann)
    with clock.travel(start + timedelta(seconds=25)):
        agent_heartbeat(agent=ann)
    assert User.objects.get(pk=ann.pk).last_seen_at == start + timedelta(seconds=20)


def test_heartbeat_endpoint(client, billing):
    (ann,) = online(billing)
    client.force_login(ann)
    start = clock.now()
    with clock.travel(start + timedelta(minutes=1)):
        same = client.post(URL, {"shown": "online"})
    assert same.status_code == 204
    assert User.objects.get(pk=ann.pk).last_seen_at == start + timedelta(minutes=1)
    # Set away meanwhile (a silence, another tab): the form comes back showing it.
    User.objects.filter(pk=ann.pk).update(availability=Availability.AWAY)
    changed = client.post(URL, {"shown": "online", "back": "/agent/"}, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200
    assert '<option value="away" selected>' in changed.content.decode()
    assert client.get(URL).status_code == 405


def test_heartbeat_endpoint_is_for_agents_only(client):
    assert client.post(URL).status_code == 302  # to the sign-in page
    client.force_login(factories.CustomerUserFactory())
    assert client.post(URL).status_code in (403, 404)


def test_availability_persists_across_sign_ins(client, billing):
    (ann,) = online(billing)
    client.force_login(ann)
    client.post("/agent/availability/", {"availability": "online"})
    client.logout()
    client.force_login(User.objects.get(pk=ann.pk))
    assert '<option value="online" selected>' in client.get("/agent/", follow=True).content.decode()
