"""Queue sorts (issue 18): most urgent first by the nearest SLA due time, per-view defaults,
keyset pages in every sort, "Send and next ticket", the SLA board's order."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from support import clock
from tests import factories
from tickets import services
from tickets.models import Priority, SavedView, Ticket
from tickets.workspace import queues


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _refs(response) -> list[int]:
    return [t.pk for t in response.context["page"].rows]


NOW = clock.now()


def _due(minutes):
    # One "now" for every due time: equal offsets make equal due times (ties to split).
    return None if minutes is None else NOW + timedelta(minutes=minutes)


@pytest.fixture
def spread(team):
    """Tickets with and without clocks, equal due times and priorities (ties to split)."""
    rows = [
        # (first response in, resolution in, priority)
        (30, 600, Priority.NORMAL),
        (None, 20, Priority.LOW),
        (30, None, Priority.URGENT),
        (None, None, Priority.HIGH),
        (-15, 600, Priority.NORMAL),
        (None, None, Priority.LOW),
        (30, 900, Priority.URGENT),
        (None, None, Priority.HIGH),
        (45, None, Priority.LOW),
    ]
    return [
        factories.TicketFactory(
            team=team,
            first_response_due_at=_due(first),
            resolution_due_at=_due(resolution),
            priority=priority,
            updated_at=clock.now() - timedelta(minutes=i % 4),
        )
        for i, (first, resolution, priority) in enumerate(rows)
    ]


def test_sla_due_at_is_the_nearest_due_time_computed_by_the_database(team):
    ticket = factories.TicketFactory(
        team=team,
        first_response_due_at=None,
        next_reply_due_at=_due(90),
        resolution_due_at=_due(30),
    )
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.sla_due_at == ticket.resolution_due_at
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=None)
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at == ticket.next_reply_due_at
    Ticket.objects.filter(pk=ticket.pk).update(next_reply_due_at=None)
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at is None


def _order(agent, sort) -> list[int]:
    tickets = queues.queue_tickets({}, user=agent)
    return [t.pk for t in queues.page_of(tickets, sort=sort, cursor=None, size=200).rows]


def test_sla_sort_is_most_urgent_first_no_clock_last_ties_by_priority(agent, spread):
    t = spread
    expected = [
        t[4].pk,  # overdue by 15 minutes
        t[1].pk,  # due in 20
        t[2].pk,  # due in 30, urgent (id order among the urgent ones)
        t[6].pk,  # due in 30, urgent
        t[0].pk,  # due in 30, normal
        t[8].pk,  # due in 45
        t[3].pk,  # no clock, high
        t[7].pk,  # no clock, high
        t[5].pk,  # no clock, low
    ]
    assert _order(agent, "sla") == expected
    # Reversed: latest due first, lowest priority first among equals; no clock still last.
    assert _order(agent, "-sla")[:6] == [t[8].pk, t[0].pk, t[6].pk, t[2].pk, t[1].pk, t[4].pk]
    assert set(_order(agent, "-sla")[6:]) == {t[3].pk, t[5].pk, t[7].pk}


@pytest.mark.parametrize(
    "sort", ["sla", "-sla", "-priority", "priority", "-created", "created", "-updated", "updated"]
)
def test_every_new_sort_pages_through_every_ticket_once_in_order(agent, spread, sort):
    tickets = queues.queue_tickets({}, user=agent)
    whole = _order(agent, sort)
    pages, cursor = [], None
    while True:
        page = queues.page_of(tickets, sort=sort, cursor=cursor, size=2)
        pages.append(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert [t.pk for p in pages for t in p.rows] == whole
    # And back: each "previous" link gives the page that came before.
    for later, earlier in zip(pages[1:], pages, strict=False):
        back = queues.page_of(tickets, sort=sort, cursor=None, before=later.prev_cursor, size=2)
        assert [t.pk for t in back.rows] == [t.pk for t in earlier.rows]
        assert back.is_first == earlier.is_first


def test_a_cursor_of_another_sort_starts_at_the_first_page(agent, spread):
    tickets = queues.queue_tickets({}, user=agent)
    page = queues.page_of(tickets, sort="-updated", cursor=None, size=2)
    other = queues.page_of(tickets, sort="sla", cursor=page.next_cursor, size=2)
    assert other.is_first
    assert [t.pk for t in other.rows] == _order(agent, "sla")[:2]


@pytest.mark.parametrize(
    ("view", "sort"),
    [
        ("unassigned", "sla"),
        ("sla_at_risk", "sla"),
        ("sla_breached", "sla"),
        ("mine", "-updated"),
        ("open", "-updated"),
        ("all", "-updated"),
    ],
)
def test_each_view_has_its_default_sort(signed_in, spread, view, sort):
    response = signed_in.get(reverse("workspace:queue", args=[view]))
    page = response.context["page"]
    assert (("-" if page.descending else "") + page.sort) == sort
    current = [c for c in response.context["sort_choices"] if c["current"]]
    assert [c["name"] for c in current] == [sort.lstrip("-")]


def test_sort_control_links_keep_the_filters(signed_in, spread):
    response = signed_in.get(
        reverse("workspace:queue", args=["open"]), {"priority": "urgent", "after": "x"}
    )
    links = {c["name"]: c["qs"] for c in response.context["sort_choices"]}
    assert set(links) == {"sla", "priority", "created", "updated"}
    for qs in links.values():
        assert "priority=urgent" in qs and "after=" not in qs
    assert "sort=sla" in links["sla"] and "sort=-priority" in links["priority"]
    assert "sort=updated" in links["updated"]  # the current sort flips
    html = response.content.decode()
    assert 'aria-current="true"' in html and "Most recently updated first" in html


def test_a_saved_view_about_sla_defaults_to_most_urgent(signed_in, agent, spread):
    view = SavedView.objects.create(owner=agent, name="Breaching", filters={"sla": ["breached"]})
    response = signed_in.get(reverse("workspace:saved_view", args=[view.pk]))
    assert response.context["page"].sort == "sla"


@pytest.mark.parametrize("sort", ["sla", "-priority", "-created"])
def test_sorted_queue_query_count_is_constant(
    signed_in, spread, team, sort, django_assert_max_num_queries
):
    for t in Ticket.objects.all()[:5]:
        t.assignee = factories.AgentFactory(teams=[team])
        t.organization = factories.OrganizationFactory()
        t.save()
    url = reverse("workspace:queue", args=["all"])
    # 6, 3 to load the product catalog into the process's cache (cached after), 2 the
    # ticket fields with their choices (the custom field filters) and 1 the branding
    with django_assert_max_num_queries(12):
        response = signed_in.get(url, {"sort": sort, "size": 200})
    assert len(response.context["page"].rows) == len(spread)
    with django_assert_max_num_queries(2):
        signed_in.get(url, {"sort": sort, "size": 200})


# --- "Send and next ticket" ---------------------------------------------------------------


def _send(client, ticket, from_url, *, body="On it", next_=True):
    data = {"kind": "reply", "body": body, "from": from_url}
    if next_:
        data["next"] = "1"
    return client.post(reverse("workspace:ticket_send", args=[ticket.pk]), data)


def test_send_and_next_opens_the_ticket_after_this_one_in_the_queue(signed_in, agent, spread):
    order = _order(agent, "sla")
    current = Ticket.objects.get(pk=order[1])
    from_url = "/agent/queues/open/?sort=sla"
    response = _send(signed_in, current, from_url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("workspace:ticket", args=[order[2]]))
    assert "from=%2Fagent%2Fqueues%2Fopen%2F%3Fsort%3Dsla" in response.url
    assert f"done={current.pk}" in response.url
    assert current.messages.filter(body_text="On it").exists()


def test_send_and_next_on_the_last_ticket_goes_back_to_the_queue(signed_in, agent, spread):
    last = Ticket.objects.get(pk=_order(agent, "sla")[-1])
    response = _send(signed_in, last, "/agent/queues/open/?sort=sla")
    assert response.url.startswith("/agent/queues/open/?sort=sla&done=")
    follow = signed_in.get(response.url)
    assert "That was the last ticket" in follow.content.decode()


def test_send_and_next_follows_the_views_default_sort(signed_in, agent, spread):
    order = _order(agent, "sla")
    response = _send(signed_in, Ticket.objects.get(pk=order[0]), "/agent/queues/unassigned/")
    assert response.url.startswith(reverse("workspace:ticket", args=[order[1]]))


@pytest.mark.parametrize(
    "from_url", ["https://evil.example.com/agent/queues/open/", "/agent/queues/nope/", "/admin/"]
)
def test_send_with_an_unknown_queue_just_sends(signed_in, spread, from_url):
    ticket = spread[0]
    response = _send(signed_in, ticket, from_url)
    assert response.url == f"{reverse('workspace:ticket', args=[ticket.pk])}?sent=" + str(
        ticket.messages.latest("pk").pk
    )


def test_send_and_next_never_opens_a_saved_view_of_someone_else(client, agent, team, spread):
    owner = factories.AgentFactory(teams=[team])
    view = SavedView.objects.create(owner=owner, name="Private", filters={})
    client.force_login(agent)
    response = _send(client, spread[0], f"/agent/views/{view.pk}/")
    assert "?sent=" in response.url


def test_a_plain_send_from_a_saved_view_does_not_read_the_view(signed_in, agent, spread):
    """The queue behind ``from`` is only looked up for "Send and next ticket"."""
    view = SavedView.objects.create(owner=agent, name="Mine", filters={})
    from_url = f"/agent/views/{view.pk}/"
    with CaptureQueriesContext(connection) as plain:
        response = _send(signed_in, spread[0], from_url, next_=False)
    assert "?sent=" in response.url
    assert not [q for q in plain.captured_queries if SavedView._meta.db_table in q["sql"]]
    with CaptureQueriesContext(connection) as with_next:
        _send(signed_in, spread[1], from_url)
    assert [q for q in with_next.captured_queries if SavedView._meta.db_table in q["sql"]]


def test_ticket_page_offers_send_and_next_only_with_a_queue(signed_in, spread):
    url = reverse("workspace:ticket", args=[spread[0].pk])
    assert "Send and next ticket" not in signed_in.get(url).content.decode()
    page = signed_in.get(url, {"from": "/agent/queues/unassigned/"}).content.decode()
    assert "Send and next ticket" in page
    assert 'name="from" value="/agent/queues/unassigned/"' in page
    assert "← Unassigned in my teams" in page


def test_a_blocked_send_keeps_the_queue(signed_in, spread):
    ticket = spread[0]
    page = signed_in.get(reverse("workspace:ticket", args=[ticket.pk]))
    services.ticket_reply(ticket=ticket, body="Me again", by=ticket.requester)
    response = signed_in.post(
        reverse("workspace:ticket_send", args=[ticket.pk]),
        {
            "kind": "reply",
            "body": "Hello",
            "from": "/agent/queues/open/",
            "next": "1",
            "last_message_id": page.context["last_message_id"],
        },
    )
    assert response.status_code == 409
    assert "Send and next ticket" in response.content.decode()


# --- the SLA board -------------------------------------------------------------------------


def test_sla_board_lists_at_risk_first_then_the_most_recent_breaches(signed_in, team):
    factories.SlaPolicyFactory(
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=60,
        resolution_minutes=6000,
        warning_percent=50,
    )
    now = clock.now()

    def filed(minutes_ago, subject):
        with clock.travel(now - timedelta(minutes=minutes_ago)):
            return services.ticket_create(
                requester=factories.CustomerFactory(), subject=subject, body="Help", team=team
            )

    long_ago = filed(3000, "Breached two days ago")
    recent = filed(65, "Breached five minutes ago")
    risky_later = filed(35, "Due in 25")
    risky_soon = filed(55, "Due in 5")
    response = signed_in.get(reverse("sla:at_risk"))
    html = response.content.decode()
    assert html.index('id="risk-title"') < html.index('id="breached-title"')
    assert [t.pk for t, _ in response.context["at_risk"]] == [risky_soon.pk, risky_later.pk]
    assert [t.pk for t, _ in response.context["breached"]] == [recent.pk, long_ago.pk]
