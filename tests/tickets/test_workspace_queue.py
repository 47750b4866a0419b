"""Queues: built-in views, filters, sort, keyset pages, counts, saved views, permissions."""

from datetime import timedelta

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tickets import services
from tickets.models import SavedView, Status, Ticket
from tickets.workspace import queues, search


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _refs(response) -> list[int]:
    return [t.pk for t in response.context["page"].rows]


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(reverse("workspace:queue", args=["mine"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_customer_gets_404(client, db):
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("workspace:queue", args=["open"])).status_code == 404


def test_unknown_view_is_404(signed_in):
    assert signed_in.get(reverse("workspace:queue", args=["nope"])).status_code == 404


def test_agent_sees_only_their_teams_and_assigned_tickets(signed_in, agent, team):
    mine = factories.TicketFactory(team=team)
    assigned = factories.TicketFactory(assignee=agent)
    hidden = factories.TicketFactory(team=factories.TeamFactory())
    refs = _refs(signed_in.get(reverse("workspace:queue", args=["all"])))
    assert set(refs) == {mine.pk, assigned.pk}
    assert hidden.pk not in refs


def test_builtin_views_and_counts(signed_in, agent, team):
    factories.TicketFactory(team=team, assignee=agent, status=Status.OPEN)
    factories.TicketFactory(team=team, status=Status.NEW)
    factories.TicketFactory(team=team, status=Status.PENDING)
    factories.TicketFactory(team=team, status=Status.SOLVED, solved_at=clock.now())
    factories.TicketFactory(
        team=team, status=Status.SOLVED, solved_at=clock.now() - timedelta(days=30)
    )
    response = signed_in.get(reverse("workspace:queue", args=["mine"]))
    counts = {v["slug"]: v["count"] for v in response.context["nav_builtins"]}
    assert counts["mine"] == 1
    assert counts["unassigned"] == 2
    assert counts["teams"] == 3
    assert counts["open"] == 3
    assert counts["pending"] == 1
    assert counts["solved"] == 1
    assert len(_refs(response)) == 1
    assert len(_refs(signed_in.get(reverse("workspace:queue", args=["solved"])))) == 1


def test_filters_combine(signed_in, agent, team):
    org = factories.OrganizationFactory()
    requester = factories.CustomerFactory(organization=org)
    hit = factories.TicketFactory(
        team=team, priority="high", requester=requester, subject="Printer on fire"
    )
    factories.TicketFactory(team=team, priority="high", subject="Printer fine")
    factories.TicketFactory(team=team, priority="low", requester=requester)
    search.documents_rebuild_all()  # factories skip the services whose events keep these
    url = reverse("workspace:queue", args=["all"])
    response = signed_in.get(url, {"priority": "high", "organization": org.pk, "q": "fire"})
    assert _refs(response) == [hit.pk]
    assert _refs(
        signed_in.get(url, {"assignee": "nobody", "priority": "high", "q": f"#{hit.pk}"})
    ) == [hit.pk]


def test_requester_and_organization_filters_take_names_as_the_type_ahead_offers_them(
    signed_in, team
):
    org = factories.OrganizationFactory(name="Acme Robotics")
    pat = factories.CustomerFactory(name="Pat Lee", email="pat@acme.example", organization=org)
    sam = factories.CustomerFactory(name="Sam Roe", email="sam@other.example")
    pats = factories.TicketFactory(team=team, requester=pat, organization=org)
    sams = factories.TicketFactory(team=team, requester=sam)
    url = reverse("workspace:queue", args=["all"])
    for value in ("Pat Lee <pat@acme.example>", "PAT@acme.example", "pat lee", str(pat.pk)):
        assert _refs(signed_in.get(url, {"requester": value})) == [pats.pk], value
    assert _refs(signed_in.get(url, {"organization": "acme robotics"})) == [pats.pk]
    assert _refs(signed_in.get(url, {"organization": str(org.pk)})) == [pats.pk]
    assert _refs(signed_in.get(url, {"requester": "Nobody <no@where.example>"})) == []
    assert set(_refs(signed_in.get(url, {"requester": ["Pat Lee", "Sam Roe"]}))) == {
        pats.pk,
        sams.pk,
    }
    options = signed_in.get(reverse("people:organization_options"), {"organization": "robo"})
    assert '<option value="Acme Robotics">' in options.content.decode()


def test_tag_and_assignee_filters(signed_in, agent, team):
    tagged = factories.TicketFactory(team=team, assignee=agent)
    tagged.tags.add(factories.TagFactory(name="vip"), factories.TagFactory(name="billing"))
    other = factories.TicketFactory(team=team)
    other.tags.add(factories.TagFactory(name="vip"))
    url = reverse("workspace:queue", args=["all"])
    assert _refs(signed_in.get(url, {"tag": ["vip", "billing"]})) == [tagged.pk]
    assert _refs(signed_in.get(url, {"assignee": "me"})) == [tagged.pk]
    assert _refs(signed_in.get(url, {"assignee": "nobody"})) == [other.pk]


def test_created_range_filter(signed_in, team):
    old = factories.TicketFactory(team=team, created_at=clock.now() - timedelta(days=10))
    new = factories.TicketFactory(team=team)
    url = reverse("workspace:queue", args=["all"])
    day = (clock.now() - timedelta(days=2)).date().isoformat()
    assert _refs(signed_in.get(url, {"created_from": day})) == [new.pk]
    assert _refs(signed_in.get(url, {"created_to": day})) == [old.pk]


def test_unknown_filter_values_are_ignored(signed_in, team):
    factories.TicketFactory(team=team)
    url = reverse("workspace:queue", args=["all"])
    response = signed_in.get(url, {"status": "bogus", "priority": "x", "created_from": "nope"})
    assert response.status_code == 200


def _make_tickets(team, n):
    now = clock.now()
    tickets = [
        factories.TicketFactory(team=team, updated_at=now - timedelta(minutes=i % 7))
        for i in range(n)
    ]
    return tickets


@pytest.mark.parametrize("sort", ["-updated", "subject", "-priority", "status", "reference"])
def test_every_sort_pages_through_every_ticket_once(agent, team, sort):
    _make_tickets(team, 7)
    tickets = queues.queue_tickets({}, user=agent)
    seen, cursor = [], None
    while True:
        page = queues.page_of(tickets, sort=sort, cursor=cursor, size=3)
        seen += [t.pk for t in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert sorted(seen) == sorted(Ticket.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("sort", ["-updated", "updated", "subject", "-priority", "reference"])
def test_previous_pages_are_the_pages_that_came_before(agent, team, sort):
    _make_tickets(team, 11)  # ties in updated_at: 11 tickets over 7 distinct minutes
    tickets = queues.queue_tickets({}, user=agent)
    pages, cursor = [], None
    while True:
        page = queues.page_of(tickets, sort=sort, cursor=cursor, size=3)
        pages.append(page)
        cursor = page.next_cursor
        if not cursor:
            break
    assert [len(p.rows) for p in pages] == [3, 3, 3, 2]
    assert pages[0].prev_cursor is None and pages[0].is_first
    for later, earlier in zip(pages[1:], pages, strict=False):
        back = queues.page_of(tickets, sort=sort, cursor=None, before=later.prev_cursor, size=3)
        assert [t.pk for t in back.rows] == [t.pk for t in earlier.rows]
        assert back.is_first == earlier.is_first
        assert (back.prev_cursor is None) == (earlier.prev_cursor is None)
        assert back.next_cursor is not None


def test_queue_page_links_to_the_previous_page(signed_in, team):
    _make_tickets(team, 30)
    url = reverse("workspace:queue", args=["all"])
    first = signed_in.get(url, {"size": 25})
    assert 'rel="prev"' not in first.content.decode()
    second = signed_in.get(f"{url}?{first.context['next_qs']}")
    assert len(second.context["page"].rows) == 5
    html = second.content.decode()
    assert "« First page" in html and 'rel="prev"' in html
    prev_qs = second.context["prev_qs"]
    assert "before=" in prev_qs and "after=" not in prev_qs and "size=25" in prev_qs
    back = signed_in.get(f"{url}?{prev_qs}")
    assert _refs(back) == _refs(first)
    assert back.context["page"].is_first
    assert 'rel="prev"' not in back.content.decode()
    assert "« First page" not in back.content.decode()


def test_keyset_page_has_no_offset_and_splits_ties(agent, team, django_assert_num_queries):
    _make_tickets(team, 9)
    tickets = queues.queue_tickets({}, user=agent)
    seen, cursor = [], None
    while True:
        page = queues.page_of(tickets, sort="-updated", cursor=cursor, size=4)
        seen += [t.pk for t in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 9
    ordered = list(Ticket.objects.order_by("-updated_at", "-id").values_list("pk", flat=True))
    assert seen == ordered


def test_bad_cursor_shows_first_page(signed_in, team):
    _make_tickets(team, 2)
    response = signed_in.get(reverse("workspace:queue", args=["all"]), {"after": "%%%garbage"})
    assert response.status_code == 200
    assert len(_refs(response)) == 2


@pytest.mark.parametrize("size", [25, 200])
def test_queue_query_count_does_not_grow_with_page_size(
    signed_in, team, size, django_assert_max_num_queries
):
    _make_tickets(team, 30)
    for t in Ticket.objects.all()[:10]:
        t.assignee = factories.AgentFactory(teams=[team])
        t.organization = factories.OrganizationFactory()
        t.save()
    url = reverse("workspace:queue", args=["all"])
    # user, the page, the sidebar counts and saved views, the agent and team lists (the session
    # is read from the cache), 3 to load the product catalog into the process's cache, 2
    # the ticket fields with their choices (the custom field filters) and 1 the branding
    with django_assert_max_num_queries(12):
        response = signed_in.get(url, {"size": size})
    assert response.status_code == 200
    assert len(response.context["page"].rows) == min(size, 30)
    # Warm: the user and the page; counts, saved views, agents, teams and the catalog are cached.
    with django_assert_max_num_queries(2):
        signed_in.get(url, {"size": size})


def test_saved_view_round_trip_and_sharing(client, agent, team, admin_user):
    factories.TicketFactory(team=team, priority="urgent")
    factories.TicketFactory(team=team, priority="low")
    client.force_login(agent)
    response = client.post(
        reverse("workspace:saved_view_create"),
        {"name": "Urgent", "filters": "priority=urgent&sort=-updated"},
    )
    view = SavedView.objects.get(name="Urgent")
    assert view.filters == {"priority": ["urgent"]}
    assert response.url == reverse("workspace:saved_view", args=[view.pk])
    page = client.get(response.url)
    assert len(page.context["page"].rows) == 1
    # Another agent can't open it until an admin shares one with their team.
    colleague = factories.AgentFactory(teams=[team])
    client.force_login(colleague)
    assert client.get(response.url).status_code == 404
    client.force_login(admin_user)
    client.post(
        reverse("workspace:saved_view_create"),
        {"name": "Team urgent", "filters": "priority=urgent", "share_with": [team.pk]},
    )
    shared = SavedView.objects.get(name="Team urgent")
    client.force_login(colleague)
    assert client.get(reverse("workspace:saved_view", args=[shared.pk])).status_code == 200
    # Only its owner deletes it.
    assert client.post(reverse("workspace:saved_view_delete", args=[shared.pk])).status_code == 404


def test_agents_cannot_share_views(client, agent, team):
    client.force_login(agent)
    client.post(
        reverse("workspace:saved_view_create"),
        {"name": "Mine", "filters": "", "share_with": [team.pk]},
    )
    assert not SavedView.objects.get(name="Mine").shared_with.exists()


def test_nav_fragment_and_availability(client, agent):
    client.force_login(agent)
    assert client.get(reverse("workspace:nav"), HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(
        reverse("workspace:availability"), {"availability": "online"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    agent.refresh_from_db()
    assert agent.availability == "online"
    response = client.post(reverse("workspace:availability"), {"availability": "asleep"})
    assert response.status_code == 400


def test_sla_views(signed_in, team, agent):
    """SLA views list tickets by the SLA engine's clocks: breached, or past the warning point."""
    factories.SlaPolicyFactory(
        calendar=factories.BusinessCalendarFactory(always_open=True),
        first_response_minutes=60,
        resolution_minutes=600,
        warning_percent=75,
    )
    now = clock.now()

    def filed(minutes_ago, subject):
        with clock.travel(now - timedelta(minutes=minutes_ago)):
            return services.ticket_create(
                requester=factories.CustomerFactory(), subject=subject, body="Help", team=team
            )

    breached = filed(90, "No answer for 90 minutes")  # first response was due 30 minutes ago
    at_risk = filed(50, "Waiting 50 minutes")  # past 75% of the first hour
    filed(5, "Just arrived")
    answered = filed(120, "Answered in time")
    with clock.travel(now - timedelta(minutes=100)):
        services.ticket_reply(ticket=answered, body="On it", by=agent)

    response = signed_in.get(reverse("workspace:queue", args=["sla_breached"]))
    assert _refs(response) == [breached.pk]
    counts = {v["slug"]: v["count"] for v in response.context["nav_builtins"]}
    assert counts["sla_breached"] == 1 and counts["sla_at_risk"] == 1
    assert _refs(signed_in.get(reverse("workspace:queue", args=["sla_at_risk"]))) == [at_risk.pk]


def test_queue_rows_escape_what_people_typed_and_show_every_cell(signed_in, team):
    org = factories.OrganizationFactory(name="Acme <b>&</b> Co")
    assignee = factories.AgentFactory(name="", email="nameless@staff.example.com", teams=[team])
    ticket = factories.TicketFactory(
        team=team, subject="<script>alert(1)</script>", organization=org, assignee=assignee
    )
    page = signed_in.get(reverse("workspace:queue", args=["all"])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<span class="muted"> · Acme &lt;b&gt;&amp;&lt;/b&gt; Co</span>' in page
    # Ticket links carry the queue they were opened from ("Send and next ticket").
    href = f"/agent/tickets/{ticket.pk}/?from=%2Fagent%2Fqueues%2Fall%2F"
    assert f'<tr data-href="{href}" class="status-{ticket.status}">' in page
    assert 'title="&lt;script&gt;alert(1)&lt;/script&gt;"' in page  # the full subject on hover
    assert (
        '<td class="col-assignee" title="nameless@staff.example.com">'
        "nameless@staff.example.com</td>"
    ) in page
    assert f'<td class="col-team" title="{team.name}">{team.name}</td>' in page


def test_sidebar_counts_stop_past_the_cap(signed_in, team, agent, monkeypatch):
    from tickets.workspace import queues

    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    for _ in range(4):
        factories.TicketFactory(team=team, status=Status.OPEN)
    factories.TicketFactory(team=team, status=Status.PENDING)
    response = signed_in.get(reverse("workspace:queue", args=["mine"]))
    builtins = {v["slug"]: v for v in response.context["nav_builtins"]}
    assert builtins["teams"]["count"] == 3  # stopped at the cap + 1
    assert builtins["teams"]["count_label"] == "2+"
    assert builtins["pending"]["count_label"] == "1"
    assert builtins["mine"]["count_label"] == "0"
    assert '<span class="count">2+</span>' in response.content.decode()


def test_a_superscript_digit_in_a_queue_filter_is_no_id(client, agent):
    client.force_login(agent)
    response = client.get("/agent/queues/all/", {"assignee": "²", "team": "²"})
    assert response.status_code == 200  # int("²") used to raise: a 500
