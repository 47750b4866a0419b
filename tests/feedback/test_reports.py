"""Report numbers against values worked out by hand on a small fixed data set.

Runs on SQLite (sorted-durations fallback) and on PostgreSQL (percentile_cont); both must agree.
"""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from feedback.models import CsatSurvey, FeedbackItem, TicketFeedbackLink
from feedback.reports import queries as q
from support import clock
from tests import factories
from tickets.models import Channel, Status, ticket_keys_of

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
H = 3600


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def data(db):
    t1, t2 = factories.TeamFactory(name="Alpha"), factories.TeamFactory(name="Beta")
    a1 = factories.AgentFactory(teams=[t1], name="Ann")
    a2 = factories.AgentFactory(teams=[t2], name="Bo")
    org = factories.OrganizationFactory(name="Org One")
    c1 = factories.CustomerFactory(organization=org)
    c3 = factories.CustomerFactory(organization=org)

    def ticket(
        created,
        *,
        fr=None,
        solved=None,
        status=Status.OPEN,
        team,
        agent=None,
        requester=None,
        channel=Channel.WEB,
        tags=(),
    ):
        t = factories.TicketFactory(
            created_at=created,
            first_responded_at=created + timedelta(hours=fr) if fr is not None else None,
            solved_at=solved,
            closed_at=solved + timedelta(days=1) if status == Status.CLOSED else None,
            status=status,
            team=team,
            assignee=agent,
            channel=channel,
            **({"requester": requester} if requester else {}),
        )
        for name in tags:
            t.tags.add(factories.TagFactory(name=name))
        return t

    T = {}
    T[1] = ticket(
        at(1, 10),
        fr=1,
        solved=at(2, 10),
        status=Status.SOLVED,
        team=t1,
        agent=a1,
        requester=c1,
        channel=Channel.EMAIL,
        tags=["billing"],
    )
    T[2] = ticket(
        at(1, 12),
        fr=2,
        solved=at(1, 16),
        status=Status.SOLVED,
        team=t1,
        agent=a1,
        tags=["billing", "bug"],
    )
    T[3] = ticket(
        at(3, 9),
        fr=4,
        solved=at(5, 9),
        status=Status.CLOSED,
        team=t2,
        agent=a2,
        requester=c3,
        channel=Channel.EMAIL,
        tags=["bug"],
    )
    T[4] = ticket(at(5, 8), fr=10, team=t2, agent=a2, tags=["billing"])
    T[5] = ticket(at(9, 0), status=Status.NEW, team=t1, channel=Channel.EMAIL)
    T[6] = ticket(
        at(20, 0, month=2), fr=6, solved=at(4, 0), status=Status.SOLVED, team=t1, agent=a1
    )
    T[7] = ticket(at(1, 0, month=2), status=Status.PENDING, team=t2, agent=a2)

    def survey(t, sent, rating=""):
        CsatSurvey.objects.create(
            ticket=t,
            customer=t.requester,
            token=f"tok{t.pk}",
            due_at=sent,
            sent_at=sent,
            rating=rating,
            answered_at=sent + timedelta(hours=1) if rating else None,
            **ticket_keys_of(t),
        )

    survey(T[1], at(3), "good")
    survey(T[2], at(2), "bad")
    survey(T[3], at(6))
    survey(T[6], at(5), "good")
    survey(T[7], at(25, month=2), "good")  # sent before the range

    x = FeedbackItem.objects.create(title="SSO")
    y = FeedbackItem.objects.create(title="Dark mode")

    def link(t, item, when):
        TicketFeedbackLink.objects.create(
            ticket=t, item=item, customer=t.requester, organization=t.organization, created_at=when
        )

    link(T[1], x, at(2))
    link(T[3], x, at(4))
    link(T[6], x, at(25, month=2))  # before the range
    link(T[2], y, at(6))
    return {"t1": t1, "t2": t2, "a1": a1, "a2": a2, "org": org, "T": T, "x": x, "y": y}


def rf(**kw) -> q.ReportFilter:
    return q.ReportFilter(start=date(2026, 3, 1), end=date(2026, 3, 10), tz=ZoneInfo("UTC"), **kw)


def test_created_vs_solved_per_day(data):
    rows = {d.day: (c, s) for d, c, s in q.created_vs_solved(rf())}
    assert len(rows) == 10
    assert rows[1] == (2, 1)  # T1, T2 created; T2 solved at 16:00
    assert rows[2] == (0, 1)  # T1 solved
    assert rows[3] == (1, 0)
    assert rows[4] == (0, 1)  # T6, created in February
    assert rows[5] == (1, 1)
    assert rows[9] == (1, 0)
    assert sum(c for c, _ in rows.values()) == 5
    assert sum(s for _, s in rows.values()) == 4


def test_days_follow_the_viewers_time_zone(data):
    # In New York, T1 (10:00 UTC) and T2 (12:00 UTC) are still 1 March; T5 (00:00 UTC 9 March)
    # is the evening of 8 March.
    f = q.ReportFilter(
        start=date(2026, 3, 1), end=date(2026, 3, 10), tz=ZoneInfo("America/New_York")
    )
    rows = {d.day: c for d, c, _ in q.created_vs_solved(f)}
    assert rows[8] == 1 and rows[9] == 0


def test_backlog_by_age(data):
    assert q.backlog(rf(), now=NOW) == [
        ("Under 1 day", 0),
        ("1–3 days", 1),  # T5
        ("3–7 days", 1),  # T4
        ("7–30 days", 0),
        ("Over 30 days", 1),  # T7
    ]


def test_first_response_and_resolution_percentiles(data):
    times = q.response_times(rf())
    fr, res = times["first_response"], times["resolution"]
    # First response of T1..T4: 1, 2, 4, 10 h → median 3 h, p90 = 4 + 0.7 × 6 = 8.2 h.
    assert fr.count == 4
    assert fr.median == pytest.approx(3 * H)
    assert fr.p90 == pytest.approx(8.2 * H)
    # Resolution of T2, T1, T3, T6: 4, 24, 48, 288 h → median 36 h, p90 = 48 + 0.7 × 240 = 216 h.
    assert res.count == 4
    assert res.median == pytest.approx(36 * H)
    assert res.p90 == pytest.approx(216 * H)


def test_csat_score_and_response_rate(data):
    stat = q.csat(rf())
    assert (stat.sent, stat.answered, stat.good, stat.bad) == (4, 3, 2, 1)
    assert stat.score == pytest.approx(200 / 3)
    assert stat.response_rate == pytest.approx(75)


def test_top_tags_and_items(data):
    assert q.top_tags(rf()) == [("billing", 3), ("bug", 2)]
    items = q.top_feedback_items(rf())
    assert [(i["item__title"], i["links"], i["customers"], i["organizations"]) for i in items] == [
        ("SSO", 2, 2, 1),
        ("Dark mode", 1, 1, 0),
    ]


def test_per_team_table(data):
    rows = {r.name: r for r in q.per_team(rf())}
    alpha, beta = rows["Alpha"], rows["Beta"]
    assert (alpha.created, alpha.solved, alpha.open_now) == (3, 3, 1)
    assert alpha.first_response.median == pytest.approx(1.5 * H)
    assert alpha.resolution.median == pytest.approx(24 * H)
    assert (alpha.csat.sent, alpha.csat.answered, alpha.csat.good) == (3, 3, 2)
    assert (beta.created, beta.solved, beta.open_now) == (2, 1, 2)
    assert beta.first_response.median == pytest.approx(7 * H)
    assert beta.resolution.median == pytest.approx(48 * H)
    assert (beta.csat.sent, beta.csat.answered) == (1, 0)


def test_per_agent_table_counts_unassigned(data):
    rows = {r.name: r for r in q.per_agent(rf())}
    assert (rows["Ann"].created, rows["Ann"].solved) == (2, 3)
    assert (rows["Bo"].created, rows["Bo"].solved, rows["Bo"].open_now) == (2, 1, 2)
    assert rows["Unassigned"].created == 1


def test_filters_narrow_every_part(data):
    f = rf(team_id=data["t2"].pk)
    assert sum(c for _, c, _ in q.created_vs_solved(f)) == 2
    assert q.csat(f).sent == 1
    assert q.top_tags(f) == [("billing", 1), ("bug", 1)]
    f = rf(channel=Channel.EMAIL)
    assert sum(c for _, c, _ in q.created_vs_solved(f)) == 3
    assert sum(s for _, _, s in q.created_vs_solved(f)) == 2
    f = rf(organization_id=data["org"].pk)
    assert q.response_times(f)["first_response"].count == 2  # T1 and T3
    f = rf(agent_id=data["a1"].pk)
    assert q.response_times(f)["resolution"].median == pytest.approx(24 * H)


def test_empty_range_has_no_percentiles(data):
    f = q.ReportFilter(start=date(2025, 1, 1), end=date(2025, 1, 2), tz=ZoneInfo("UTC"))
    times = q.response_times(f)
    assert times["first_response"].count == 0 and times["first_response"].median is None


def test_dashboard_and_csv_show_the_same_numbers(client, data):
    pm = factories.ProductManagerFactory()
    client.force_login(pm)
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    with clock.travel(NOW):
        response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    assert response.context["summary"]["created"] == 5
    assert b"<svg" in response.content
    csv = client.get(reverse("reports:export", args=["times"]), params)
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "measure,tickets,median_hours,p90_hours"
    assert lines[1] == "first_response,4,3.00,8.20"
    assert lines[2] == "resolution,4,36.00,216.00"
    for table in ["daily", "backlog", "csat", "tags", "items", "agents", "teams"]:
        assert client.get(reverse("reports:export", args=[table]), params).status_code == 200
    assert client.get(reverse("reports:export", args=["nope"]), params).status_code == 404


@pytest.mark.parametrize("who,status", [("anonymous", 302), ("customer", 404), ("agent", 200)])
def test_csv_export_permissions(client, db, who, status):
    if who == "customer":
        client.force_login(factories.CustomerUserFactory())
    elif who == "agent":
        client.force_login(factories.AgentFactory())
    assert client.get(reverse("reports:export", args=["daily"])).status_code == status


def test_percentile_matches_percentile_cont():
    assert q.percentile([], 0.5) is None
    assert q.percentile([5.0], 0.9) == 5.0
    assert q.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9) == pytest.approx(4.6)


def test_dashboard_is_reused_from_the_cache(client, data, settings):
    from django.core.cache import cache

    settings.REPORTS_CACHE_SECONDS = 60
    cache.clear()
    client.force_login(factories.ProductManagerFactory())
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    first = client.get(reverse("reports:dashboard"), params).context["summary"]["created"]
    factories.TicketFactory(created_at=at(2, 9), team=data["t1"])
    again = client.get(reverse("reports:dashboard"), params).context["summary"]["created"]
    assert first == again == 5
    cache.clear()


# --- business time and SLA achievement ------------------------------------------------------


@pytest.fixture
def sla_data(data):
    """SLA clocks on the fixed tickets, with their stored outcomes (as the SLA engine leaves
    them). Range 1–10 March; outcome = breached_at if breached, else met_at."""
    from tickets.sla.models import SlaTarget, TargetKind, TargetState

    T = data["T"]
    FR, NR, RES = TargetKind.FIRST_RESPONSE, TargetKind.NEXT_REPLY, TargetKind.RESOLUTION
    MET, RUN = TargetState.MET, TargetState.RUNNING

    def clock_(t, kind, started, due, *, state=MET, met=None, breached=None, business=None):
        SlaTarget.objects.create(
            ticket=t,
            kind=kind,
            state=state,
            target_minutes=60,
            started_at=started,
            due_at=due,
            warn_at=due - timedelta(minutes=15),
            paused_since=due if state == TargetState.PAUSED else None,
            met_at=met,
            breached_at=breached,
            business_seconds_taken=business,
            **ticket_keys_of(t),
        )

    clock_(T[1], FR, at(1, 10), at(1, 14), met=at(1, 11), business=1 * H)  # met
    clock_(T[1], RES, at(1, 10), at(3, 10), met=at(2, 10), business=8 * H)  # met
    # T2: first response met after its due time before the sweep marked it: breached.
    clock_(T[2], FR, at(1, 12), at(1, 13), met=at(1, 14), business=2 * H)
    clock_(T[2], RES, at(1, 12), at(2, 12), met=at(1, 16), business=4 * H)  # met
    clock_(T[2], NR, at(1, 15), at(1, 16), state=TargetState.CANCELLED, breached=at(1, 16))
    clock_(T[3], FR, at(3, 9), at(3, 11), met=at(3, 13), breached=at(3, 11), business=4 * H)
    clock_(T[3], RES, at(3, 9), at(6, 9), met=at(5, 9), business=16 * H)  # met
    clock_(T[4], FR, at(5, 8), at(5, 12), met=at(5, 18), breached=at(5, 12), business=9 * H)
    clock_(T[4], NR, at(5, 20), at(6, 4), met=at(5, 22), business=2 * H)  # met
    clock_(T[4], RES, at(5, 8), at(20, 8), state=RUN)  # no outcome yet
    clock_(T[5], FR, at(9, 0), at(9, 4), state=RUN, breached=at(9, 4))  # breached, still owed
    # T6: first response met in February; resolution breached in February (outside the range)
    # but met — i.e. solved — on 4 March, so its business time counts.
    clock_(T[6], FR, at(20, 0, 2), at(20, 8, 2), met=at(20, 6, 2), business=6 * H)
    clock_(T[6], RES, at(20, 0, 2), at(27, 0, 2), met=at(4, 0), breached=at(27, 0, 2),
           business=40 * H)  # fmt: skip
    clock_(T[7], RES, at(1, 0, 2), at(2, 0), state=TargetState.PAUSED, breached=at(2, 0))
    return data


def test_business_time_percentiles(sla_data):
    b = q.business_times(rf())
    # First response of T1..T4 (created in range): 1, 2, 4, 9 h → median 3 h, p90 = 4 + 0.7 × 5.
    assert b["first_response"].count == 4
    assert b["first_response"].median == pytest.approx(3 * H)
    assert b["first_response"].p90 == pytest.approx(7.5 * H)
    # Resolution of T2, T1, T3, T6 (solved in range): 4, 8, 16, 40 h → 12 h, 16 + 0.7 × 24.
    assert b["resolution"].count == 4
    assert b["resolution"].median == pytest.approx(12 * H)
    assert b["resolution"].p90 == pytest.approx(32.8 * H)


def test_sla_achievement_per_target(sla_data):
    sla = q.sla_achievement(rf())
    # First response: T1 met; T2 (late), T3, T4, T5 breached; T6's outcome is in February.
    assert (sla["first_response"].met, sla["first_response"].breached) == (1, 4)
    assert sla["first_response"].achievement == pytest.approx(20)
    # Next reply: T2's breached (then cancelled), T4's met.
    assert (sla["next_reply"].met, sla["next_reply"].breached) == (1, 1)
    # Resolution: T1, T2, T3 met; T7 breached on 2 March; T6 breached in February; T4 running.
    assert (sla["resolution"].met, sla["resolution"].breached) == (3, 1)
    assert sla["resolution"].achievement == pytest.approx(75)


def test_sla_achievement_with_no_clocks_is_unknown(data):
    sla = q.sla_achievement(rf())
    assert list(sla) == ["first_response", "next_reply", "resolution"]
    assert all(s.total == 0 and s.achievement is None for s in sla.values())


def test_per_team_business_time_and_sla(sla_data):
    rows = {r.name: r for r in q.per_team(rf())}
    alpha, beta = rows["Alpha"], rows["Beta"]
    assert (alpha.sla.met, alpha.sla.breached) == (3, 3)
    assert alpha.first_response_business.median == pytest.approx(1.5 * H)
    assert alpha.resolution_business.median == pytest.approx(8 * H)  # 4, 8, 40 h
    assert (beta.sla.met, beta.sla.breached) == (2, 3)
    assert beta.sla.achievement == pytest.approx(40)
    assert beta.first_response_business.median == pytest.approx(6.5 * H)
    assert beta.resolution_business.median == pytest.approx(16 * H)


def test_sla_filters_follow_the_ticket(sla_data):
    f = rf(agent_id=sla_data["a1"].pk)
    sla = q.sla_achievement(f)
    assert (sla["first_response"].met, sla["first_response"].breached) == (1, 1)
    assert (sla["resolution"].met, sla["resolution"].breached) == (2, 0)
    f = rf(organization_id=sla_data["org"].pk)  # T1 and T3
    assert q.business_times(f)["resolution"].median == pytest.approx(12 * H)  # 8 and 16 h


def test_dashboard_and_csv_show_business_time_and_sla(client, sla_data):
    client.force_login(factories.ProductManagerFactory())
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    with clock.travel(NOW):
        response = client.get(reverse("reports:dashboard"), params)
    assert response.context["summary"]["sla"] == "45%"  # 5 met of 11
    assert b"SLA achievement" in response.content
    lines = client.get(reverse("reports:export", args=["times"]), params).content.decode()
    assert lines.splitlines()[3:] == [
        "first_response_business,4,3.00,7.50",
        "resolution_business,4,12.00,32.80",
    ]
    lines = client.get(reverse("reports:export", args=["sla"]), params).content.decode()
    assert lines.splitlines() == [
        "target,met,breached,achievement_percent",
        "first_response,1,4,20.0",
        "next_reply,1,1,50.0",
        "resolution,3,1,75.0",
    ]
    teams = client.get(reverse("reports:export", args=["teams"]), params).content.decode()
    header, *rows = teams.splitlines()
    beta = dict(
        zip(
            header.split(","), next(r for r in rows if r.startswith("Beta")).split(","), strict=True
        )
    )
    assert (beta["sla_met"], beta["sla_breached"], beta["sla_achievement_percent"]) == (
        "2",
        "3",
        "40.0",
    )
    assert beta["first_response_business_median_hours"] == "6.50"


def test_grouped_report_totals_match_the_parts(sla_data):
    """The dashboard takes its totals from the grouped queries (one scan each on PostgreSQL);
    they equal the parts computed on their own."""
    g = q.grouped_report(rf(), now=NOW)
    assert g.backlog == q.backlog(rf(), now=NOW)
    assert g.first_response == q.response_times(rf())["first_response"]
    assert g.resolution == q.response_times(rf())["resolution"]
    assert g.first_response_business == q.business_times(rf())["first_response"]
    assert g.resolution_business == q.business_times(rf())["resolution"]
    assert g.sla == q.sla_achievement(rf())
    assert g.csat == q.csat(rf())
    empty = q.grouped_report(
        q.ReportFilter(start=date(2025, 1, 1), end=date(2025, 1, 2), tz=ZoneInfo("UTC")), now=NOW
    )
    assert empty.first_response.count == 0 and empty.first_response.median is None
    assert empty.csat.sent == 0 and all(s.total == 0 for s in empty.sla.values())
    assert empty.tables["team_id"] == [] or all(r.created == 0 for r in empty.tables["team_id"])


# --- organization type-ahead ------------------------------------------------------------------

PARAMS = {"start": "2026-03-01", "end": "2026-03-10"}


def report_of(client, **extra):
    with clock.travel(NOW):
        return client.get(reverse("reports:dashboard"), {**PARAMS, **extra})


def test_organization_name_filters_as_the_id_does_any_case(client, data):
    client.force_login(factories.ProductManagerFactory())
    by_id = report_of(client, organization=data["org"].pk)
    by_name = report_of(client, organization_name="  org ONE ")
    assert by_name.status_code == by_id.status_code == 200
    assert by_name.context["summary"] == by_id.context["summary"]
    assert by_name.context["summary"]["created"] == 2  # T1 and T3, not the 5 of everyone
    for key, table in by_id.context["tables"].items():
        assert by_name.context["tables"][key].csv_rows == table.csv_rows, key
    # The input round-trips with the organization's own spelling, for either way of asking.
    assert b'name="organization_name" value="Org One"' in by_name.content
    assert b'name="organization_name" value="Org One"' in by_id.content


def test_csv_of_a_name_filtered_report_has_the_same_numbers(client, data):
    client.force_login(factories.ProductManagerFactory())
    for table in ["times", "daily", "agents"]:
        url = reverse("reports:export", args=[table])
        with clock.travel(NOW):
            by_name = client.get(url, {**PARAMS, "organization_name": "ORG one"})
            by_id = client.get(url, {**PARAMS, "organization": data["org"].pk})
            everyone = client.get(url, PARAMS)
        assert by_name.status_code == 200
        assert by_name.content == by_id.content != everyone.content, table


def test_a_non_empty_name_wins_over_the_id(client, data):
    other = factories.OrganizationFactory(name="Other")
    client.force_login(factories.ProductManagerFactory())
    both = report_of(client, organization=other.pk, organization_name="Org One")
    assert both.context["f"].organization_id == data["org"].pk
    blank = report_of(client, organization=other.pk, organization_name="")
    assert blank.context["f"].organization_id == other.pk
    assert blank.context["summary"]["created"] == 0


def test_unknown_organization_name_is_a_400_with_the_form_and_no_numbers(client, data):
    client.force_login(factories.ProductManagerFactory())
    response = report_of(client, organization_name="Org Nine", team=data["t1"].pk)
    assert response.status_code == 400
    html = response.content.decode()
    assert "No organization is named “Org Nine”." in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="r-org-error"' in html
    assert 'value="Org Nine"' in html  # what was typed stays, to be corrected
    assert f'<option value="{data["t1"].pk}" selected>' in html  # the rest of the form too
    assert "report" not in response.context and "summary" not in response.context
    assert "report-summary" not in html and "<svg" not in html and "CSV" not in html


def test_unknown_organization_id_is_a_400_too(client, data):
    client.force_login(factories.ProductManagerFactory())
    response = report_of(client, organization=987654)
    assert response.status_code == 400
    assert "No organization has the id 987654." in response.content.decode()


def test_csv_of_an_unknown_organization_is_a_plain_400(client, data):
    client.force_login(factories.ProductManagerFactory())
    url = reverse("reports:export", args=["daily"])
    response = client.get(url, {**PARAMS, "organization_name": "Nobody Inc"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "No organization is named “Nobody Inc”."


def test_dashboard_no_longer_lists_every_organization(client, db):
    for n in range(1, 31):
        factories.OrganizationFactory(name=f"Company {n:02}")
    client.force_login(factories.AgentFactory())
    html = report_of(client).content.decode()
    assert "Company 30" not in html and "Company 01" not in html
    assert 'list="r-org-options"' in html and 'placeholder="All organizations"' in html
    selected = report_of(client, organization_name="company 30").content.decode()
    assert 'value="Company 30"' in selected


def organization_options(client, typed: str) -> list[str]:
    response = client.get(reverse("reports:organizations"), {"organization_name": typed})
    assert response.status_code == 200
    return re.findall(r'<option value="([^"]*)">', response.content.decode())


def test_organization_options_match_any_case_prefix_first_at_most_20(client, db):
    for n in range(1, 26):
        factories.OrganizationFactory(name=f"Acme {n:02}")
    factories.OrganizationFactory(name="The ACME Group")
    factories.OrganizationFactory(name="Globex")
    client.force_login(factories.AgentFactory())
    names = organization_options(client, "acme")
    assert names == [f"Acme {n:02}" for n in range(1, 21)]
    assert organization_options(client, "me gr") == ["The ACME Group"]
    assert organization_options(client, "zzz") == []
    assert organization_options(client, "glob") == ["Globex"]


def test_prefix_matches_come_before_other_matches(client, db):
    for name in ["Big Acme", "Acme Zeta", "Zacme", "Acme Alpha"]:
        factories.OrganizationFactory(name=name)
    client.force_login(factories.AgentFactory())
    assert organization_options(client, "ACME") == ["Acme Alpha", "Acme Zeta", "Big Acme", "Zacme"]


def test_organization_options_escape_the_names(client, db):
    factories.OrganizationFactory(name='Quote "Co" <b>')
    client.force_login(factories.AgentFactory())
    response = client.get(reverse("reports:organizations"), {"organization_name": "quote"})
    assert b'<option value="Quote &quot;Co&quot; &lt;b&gt;"></option>' in response.content


def test_organization_options_are_one_query(db, django_assert_num_queries):
    from django.test import RequestFactory

    from feedback.reports.views import organizations

    factories.OrganizationFactory(name="Acme")
    request = RequestFactory().get("/reports/organizations/", {"organization_name": "ac"})
    request.user = factories.AgentFactory()
    with django_assert_num_queries(1) as captured:
        response = organizations(request)
    assert b'<option value="Acme">' in response.content
    assert "LIMIT 20" in captured.captured_queries[0]["sql"]


# --- the ticket's keys on clocks and surveys; the report's two lanes -------------------------


def test_reassigning_a_ticket_moves_its_clocks_and_survey_in_the_tables(sla_data):
    """Clocks and surveys carry a copy of their ticket's agent and team; reassigning the ticket
    rewrites it, so the tables keep grouping by the ticket's current agent and team."""
    from tickets.services import ticket_assign

    d = sla_data
    before = {r.name: r for r in q.per_agent(rf())}
    assert (before["Ann"].sla.met, before["Ann"].sla.breached) == (3, 2)
    assert before["Ann"].csat.sent == 3  # T1, T2, T6
    ticket_assign(ticket=d["T"][1], by=None, team=d["t2"], assignee=d["a2"])
    after = {r.name: r for r in q.per_agent(rf())}
    # T1: first response met, resolution met; its survey (good) moves too.
    assert (after["Ann"].sla.met, after["Ann"].sla.breached) == (1, 2)
    assert (after["Bo"].sla.met - before["Bo"].sla.met) == 2
    assert after["Ann"].csat.sent == 2 and after["Bo"].csat.sent == before["Bo"].csat.sent + 1
    assert q.sla_achievement(rf(agent_id=d["a2"].pk))["first_response"].met == 1
    assert q.grouped_report(rf(), now=NOW).sla == q.sla_achievement(rf())  # totals unchanged


def test_top_tags_read_with_id_bounds_equal_without(data):
    ids = sorted(t.pk for t in q.ReportFilter.created(rf()))
    assert (
        q.top_tags(rf(), ids=(ids[0], ids[-1])) == q.top_tags(rf()) == [("billing", 3), ("bug", 2)]
    )
    assert q.top_tags(rf(), ids=(None, None)) == []


@pytest.mark.postgres  # shared snapshots are PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_report_lanes_run_on_two_connections_in_one_snapshot(data, settings):
    """Outside a caller's transaction on PostgreSQL, the second lane runs on a connection of its
    own, reading the snapshot of the first: a ticket committed meanwhile is seen by neither."""
    import threading

    from django.db import connection

    from tickets.models import Ticket

    settings.REPORTS_CONNECTIONS = 2

    def seen() -> dict:
        return {"n": Ticket.objects.count(), "pid": connection.connection.info.backend_pid}

    def commit_a_ticket() -> None:
        try:
            factories.TicketFactory(created_at=at(2, 9), team=data["t1"])
        finally:
            connection.close()

    with q.report_session() as session:
        assert session.snapshot
        first = session.together(lambda: {"a": seen()})["a"]
        writer = threading.Thread(target=commit_a_ticket)
        writer.start()
        writer.join()
        both = session.together(lambda: {"a": seen()}, lambda: {"b": seen()})
    assert both["a"]["n"] == both["b"]["n"] == first["n"] == 7
    assert both["a"]["pid"] != both["b"]["pid"]
    assert Ticket.objects.count() == 8  # committed, just not in the report's snapshot


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_report_on_two_connections_equals_the_report_on_one(sla_data, settings):
    reports = []
    for connections in (1, 2):
        settings.REPORTS_CONNECTIONS = connections
        with q.report_session() as session:
            assert bool(session.snapshot) == (connections == 2)
            reports.append(q.grouped_report(rf(), now=NOW, session=session))
    assert reports[0] == reports[1]
    assert reports[1].tags == [("billing", 3), ("bug", 2)]
