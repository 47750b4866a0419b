"""/api/v1/sla-policies, /api/v1/business-calendars, and the agent-only ``sla`` on tickets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from accounts.tokens import api_token_create
from support import clock
from tests import factories
from tickets import services
from tickets.sla.models import BusinessCalendar, Holiday, SlaPolicy, TicketSla

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def calendar(db):
    return factories.BusinessCalendarFactory(name="Berlin", always_open=True)


@pytest.fixture
def policy(calendar):
    return factories.SlaPolicyFactory(
        name="Default",
        is_default=True,
        calendar=calendar,
        first_response_minutes=60,
        next_reply_minutes=120,
        resolution_minutes=480,
    )


def _policy_body(calendar, **extra):
    return {
        "name": "Urgent",
        "calendar_id": calendar.pk,
        "priorities": ["urgent"],
        "first_response_minutes": 30,
        **extra,
    }


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/sla-policies", "/api/v1/business-calendars"])
def test_anonymous_is_401_and_customers_404(api, path, policy):
    """Customers learn nothing of agent-only resources: 404, as on /teams or /views."""
    assert api().get(path).status_code == 401
    customer = factories.CustomerUserFactory()
    for method in ("get", "post"):
        response = getattr(api(customer), method)(path, {}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert api(customer).get(f"{path}/{policy.pk}").status_code == 404
    assert SlaPolicy.objects.count() == 1


def test_agents_read_but_cannot_write(api, agent, policy, calendar):
    client = api(agent)
    listed = client.get("/api/v1/sla-policies")
    assert listed.status_code == 200
    assert [p["name"] for p in listed.json()["results"]] == ["Default"]
    assert client.get(f"/api/v1/business-calendars/{calendar.pk}").status_code == 200
    refused = [
        client.post("/api/v1/sla-policies", _policy_body(calendar), format="json"),
        client.patch(f"/api/v1/sla-policies/{policy.pk}", {"name": "X"}, format="json"),
        client.delete(f"/api/v1/sla-policies/{policy.pk}"),
        client.post("/api/v1/business-calendars", {"name": "Y"}, format="json"),
        client.delete(f"/api/v1/business-calendars/{calendar.pk}"),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert refused[0].json()["error"]["message"] == "Only admins can change SLA settings."
    assert SlaPolicy.objects.count() == 1 and BusinessCalendar.objects.count() == 1


def test_read_only_admin_token_cannot_write(api, admin_user, calendar):
    response = api(admin_user, read_only=True).post(
        "/api/v1/sla-policies", _policy_body(calendar), format="json"
    )
    assert response.status_code == 403
    assert not SlaPolicy.objects.exists()


# --- policies -------------------------------------------------------------------------------


def test_admin_creates_reads_changes_and_deletes_a_policy(api, admin_user, calendar, team):
    org = factories.OrganizationFactory()
    client = api(admin_user)
    created = client.post(
        "/api/v1/sla-policies",
        _policy_body(
            calendar,
            organization_ids=[org.pk],
            tags=["VIP", "billing"],
            notify_ids=[admin_user.pk],
            breach_team_id=team.pk,
            warning_percent=80,
        ),
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert created["Location"] == f"/api/v1/sla-policies/{body['id']}"
    assert body["organization_ids"] == [org.pk]
    assert body["tags"] == ["billing", "vip"]
    assert body["notify_ids"] == [admin_user.pk]
    assert body["breach_team_id"] == team.pk
    assert body["warning_percent"] == 80
    assert body["is_active"] is True and body["is_default"] is False
    policy = SlaPolicy.objects.get(pk=body["id"])
    assert policy.priorities == ["urgent"]

    got = client.get(f"/api/v1/sla-policies/{policy.pk}")
    assert got.json() == body and got["ETag"] == created["ETag"]
    unchanged = client.get(f"/api/v1/sla-policies/{policy.pk}", HTTP_IF_NONE_MATCH=got["ETag"])
    assert unchanged.status_code == 304
    changed = client.patch(
        f"/api/v1/sla-policies/{policy.pk}",
        {"resolution_minutes": 240, "tags": []},
        format="json",
        HTTP_IF_MATCH=got["ETag"],
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["resolution_minutes"] == 240
    assert changed.json()["tags"] == []
    assert changed.json()["organization_ids"] == [org.pk]  # untouched lists stay
    assert changed["ETag"] != got["ETag"]

    stale = client.patch(
        f"/api/v1/sla-policies/{policy.pk}",
        {"name": "Too late"},
        format="json",
        HTTP_IF_MATCH=got["ETag"],
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["current"]["resolution_minutes"] == 240
    assert stale["ETag"] == changed["ETag"]

    assert client.delete(f"/api/v1/sla-policies/{policy.pk}").status_code == 204
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()
    assert client.get(f"/api/v1/sla-policies/{policy.pk}").status_code == 404


def test_a_new_default_takes_the_flag_from_the_old_one(api, admin_user, policy, calendar):
    response = api(admin_user).post(
        "/api/v1/sla-policies", _policy_body(calendar, is_default=True), format="json"
    )
    assert response.status_code == 201
    policy.refresh_from_db()
    assert policy.is_default is False
    assert SlaPolicy.objects.get(is_default=True).name == "Urgent"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"warning_percent": 100}, "warning_percent"),
        ({"warning_percent": 0}, "warning_percent"),
        ({"priorities": ["whenever"]}, "priorities.0"),
        ({"tags": ["no spaces!"]}, "tags.0"),
        ({"first_response_minutes": None}, "first_response_minutes"),
        ({"first_response_minutes": 10**9}, "first_response_minutes"),
        ({"password": "x"}, "password"),
    ],
)
def test_invalid_policy_input_is_400_naming_the_field(
    api, admin_user, policy, calendar, change, field
):
    response = api(admin_user).post(
        "/api/v1/sla-policies", _policy_body(calendar, **change), format="json"
    )
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert SlaPolicy.objects.count() == 1


def test_a_name_already_taken_is_409_naming_the_field(api, admin_user, policy, calendar):
    response = api(admin_user).post(
        "/api/v1/sla-policies", _policy_body(calendar, name="Default"), format="json"
    )
    assert response.status_code == 409, response.json()
    assert "name" in response.json()["error"]["fields"]
    assert SlaPolicy.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"organization_ids": [999_999]},
        {"calendar_id": 999_999},
        {"notify_ids": [999_999]},
        {"breach_team_id": 999_999},
    ],
)
def test_a_policy_naming_what_does_not_exist_is_404_naming_the_field(
    api, admin_user, policy, calendar, change
):
    response = api(admin_user).post(
        "/api/v1/sla-policies", _policy_body(calendar, **change), format="json"
    )
    assert response.status_code == 404, response.json()
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert set(change) <= set(error["fields"]), error
    assert SlaPolicy.objects.count() == 1


def test_policy_filters_and_ordering_are_strict(api, agent, policy, calendar):
    factories.SlaPolicyFactory(name="Inactive", is_active=False, position=5, calendar=calendar)
    client = api(agent)
    by_position = client.get("/api/v1/sla-policies").json()["results"]
    assert [p["name"] for p in by_position] == ["Inactive", "Default"]
    active = client.get("/api/v1/sla-policies", {"is_active": "true"}).json()["results"]
    assert [p["name"] for p in active] == ["Default"]
    assert client.get("/api/v1/sla-policies", {"ordering": "name"}).status_code == 200
    bad = client.get("/api/v1/sla-policies", {"ordering": "calendar__name"})
    assert bad.status_code == 400 and "ordering" in bad.json()["error"]["fields"]
    probe = client.get("/api/v1/sla-policies", {"notify__password__startswith": "a"})
    assert probe.status_code == 400
    assert "notify__password__startswith" in probe.json()["error"]["fields"]


def test_policy_list_pages_by_cursor_without_a_query_per_row(
    api, agent, calendar, django_assert_max_num_queries
):
    orgs = [factories.OrganizationFactory() for _ in range(2)]
    for n in range(5):
        p = factories.SlaPolicyFactory(name=f"P{n}", position=n, calendar=calendar)
        p.organizations.set(orgs)
    client = api(agent)
    with django_assert_max_num_queries(12):
        first = client.get("/api/v1/sla-policies", {"page_size": 3}).json()
    second = client.get(first["next"]).json()
    names = [p["name"] for p in first["results"] + second["results"]]
    assert names == ["P0", "P1", "P2", "P3", "P4"]
    assert second["next"] is None


def test_idempotency_key_replays_a_policy_creation(api, admin_user, calendar):
    client = api(admin_user)
    first, second = (
        client.post(
            "/api/v1/sla-policies",
            _policy_body(calendar),
            format="json",
            HTTP_IDEMPOTENCY_KEY="policy-1",
        )
        for _ in range(2)
    )
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    assert SlaPolicy.objects.count() == 1
    other = client.post(
        "/api/v1/sla-policies",
        _policy_body(calendar, name="Else"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="policy-1",
    )
    assert other.status_code == 409


def test_a_deleted_policy_leaves_its_name_on_tickets(api, admin_user, policy, customer):
    ticket = services.ticket_create(requester=customer, subject="Hi", body="there")
    assert api(admin_user).delete(f"/api/v1/sla-policies/{policy.pk}").status_code == 204
    sla = TicketSla.objects.get(ticket=ticket)
    assert sla.policy is None and sla.policy_name == "Default"


# --- calendars ------------------------------------------------------------------------------


def test_admin_creates_and_changes_a_calendar(api, admin_user):
    client = api(admin_user)
    created = client.post(
        "/api/v1/business-calendars",
        {
            "name": "Sydney",
            "time_zone": "Australia/Sydney",
            "hours": {"mon": [["08:00", "12:00"], ["13:00", "17:00"]], "sat": [["22:00", "02:00"]]},
            "holidays": [{"date": "2026-12-25", "name": "Christmas Day"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["hours"] == {
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]],
        "sat": [["22:00", "02:00"]],
    }
    assert body["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}]
    calendar = BusinessCalendar.objects.get(pk=body["id"])
    assert calendar.time_zone == "Australia/Sydney"

    changed = client.patch(
        f"/api/v1/business-calendars/{calendar.pk}",
        {"always_open": True, "holidays": [{"date": "2027-01-01", "name": "New Year"}]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["always_open"] is True
    assert list(Holiday.objects.filter(calendar=calendar).values_list("date", flat=True)) == [
        date(2027, 1, 1)
    ]
    stale = client.patch(
        f"/api/v1/business-calendars/{calendar.pk}",
        {"name": "Late"},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert stale.status_code == 412


def test_an_always_open_calendar_needs_no_hours(api, admin_user):
    client = api(admin_user)
    created = client.post(
        "/api/v1/business-calendars",
        {"name": "24/7", "always_open": True, "hours": {}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["hours"] == {}
    closed = client.patch(
        f"/api/v1/business-calendars/{created.json()['id']}", {"always_open": False}, format="json"
    )
    # A well-formed request that only what is stored (no hours) makes impossible: a conflict.
    assert closed.status_code == 409
    assert list(closed.json()["error"]["fields"]) == ["always_open"]
    # Hours without an interval say always_open: true beside them (the schema says so too).
    empty = client.patch(
        f"/api/v1/business-calendars/{created.json()['id']}", {"hours": {}}, format="json"
    )
    assert empty.status_code == 400
    assert list(empty.json()["error"]["fields"]) == ["hours"]
    assert BusinessCalendar.objects.get(name="24/7").always_open is True


def test_a_holiday_with_an_unknown_key_is_refused_naming_it(api, admin_user):
    response = api(admin_user).post(
        "/api/v1/business-calendars",
        {"name": "Berlin", "holidays": [{"date": "2026-12-24", "name": "Eve", "paid": True}]},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == ["holidays.0.paid"]
    assert not BusinessCalendar.objects.filter(name="Berlin").exists()


def test_a_holiday_needs_its_date_in_a_change_too(api, admin_user):
    # A PATCH reads its fields as optional; a holiday in it still needs a date (it was a 500).
    calendar = factories.BusinessCalendarFactory(always_open=True)
    response = api(admin_user).patch(
        f"/api/v1/business-calendars/{calendar.pk}",
        {"holidays": [{"name": "Eve"}]},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert list(response.json()["error"]["fields"]) == ["holidays.0.date"]
    named = api(admin_user).patch(
        f"/api/v1/business-calendars/{calendar.pk}",
        {"holidays": [{"date": "2026-12-24"}]},
        format="json",
    )
    assert named.status_code == 200 and named.json()["holidays"][0]["name"] == ""


def test_a_calendar_can_seed_a_countrys_holidays(api, admin_user):
    response = api(admin_user).post(
        "/api/v1/business-calendars", {"name": "Berlin", "holiday_country": "de"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["holiday_country"] == "DE"
    assert len(response.json()["holidays"]) >= 9


def test_the_schema_offers_exactly_the_countries_with_a_holiday_list(api, admin_user):
    # "AA" was schema-valid (two letters) and refused by the server: schemathesis found it.
    schema = api(admin_user).get("/api/schema/?format=json").json()
    request = schema["components"]["schemas"]["BusinessCalendarInputRequest"]
    offered = request["properties"]["holiday_country"]
    if "$ref" in offered:
        offered = schema["components"]["schemas"][offered["$ref"].rsplit("/", 1)[1]]
    codes = set(offered["enum"])
    assert {"DE", "de", "US", "FRA"} <= codes
    assert not {"AA", "XX", "De"} & codes


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"hours": {"mon": [["9am", "5pm"]]}}, "hours.mon.0"),
        ({"hours": {"funday": [["09:00", "17:00"]]}}, "hours"),
        ({"hours": {"mon": [["09:00"]]}}, "hours.mon.0"),
        ({"hours": {"mon": [["25:00", "26:00"]]}}, "hours.mon.0"),
        ({"hours": "always"}, "hours"),
        ({"hours": {}}, "hours"),
        ({"hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, "hours"),
        ({"holidays": [{"date": "someday"}]}, "holidays.0.date"),
        ({"holiday_country": "XX"}, "holiday_country"),
        ({"holiday_country": "AA"}, "holiday_country"),
        ({"name": "Berlin"}, "name"),
    ],
)
def test_invalid_calendar_input_is_400_naming_the_field(api, admin_user, calendar, body, field):
    response = api(admin_user).post(
        "/api/v1/business-calendars", {"name": "New", **body}, format="json"
    )
    # A name another calendar holds is a conflict with what is stored, not bad input.
    assert response.status_code == (409 if body == {"name": "Berlin"} else 400), response.json()
    assert field in response.json()["error"]["fields"], response.json()
    assert BusinessCalendar.objects.count() == 1


def test_a_calendar_in_use_cannot_be_deleted(api, admin_user, policy, calendar):
    client = api(admin_user)
    refused = client.delete(f"/api/v1/business-calendars/{calendar.pk}")
    assert refused.status_code == 409
    assert "Default" in refused.json()["error"]["message"]
    spare = factories.BusinessCalendarFactory(name="Spare")
    assert client.delete(f"/api/v1/business-calendars/{spare.pk}").status_code == 204
    assert client.get("/api/v1/business-calendars").json()["results"][0]["name"] == "Berlin"


# --- the ticket's sla object ----------------------------------------------------------------


def test_agents_see_the_ticket_sla_and_customers_never(api, agent, policy, team):
    customer_user = factories.CustomerUserFactory()
    with clock.travel(T0):
        ticket = services.ticket_create(
            requester=customer_user.customer, subject="Printer", body="Broken", team=team
        )
    with clock.travel(T0 + timedelta(minutes=50)):
        sla = api(agent).get(f"/api/v1/tickets/{ticket.pk}").json()["sla"]
        assert sla["policy_id"] == policy.pk and sla["policy_name"] == "Default"
        assert sla["clock"]["state"] == "warning"
        assert sla["clock"]["text"] == "first response in 10m"
        first, resolution = sla["targets"]
        assert first["kind"] == "first_response" and first["state"] == "running"
        assert first["due_at"] == "2026-06-01T09:00:00Z".replace("09:00", "10:00")
        assert first["met"] is False and first["breached"] is False
        assert resolution["kind"] == "resolution"

        own = api(customer_user)
        assert "sla" not in own.get(f"/api/v1/tickets/{ticket.pk}").json()
        assert all("sla" not in t for t in own.get("/api/v1/tickets").json()["results"])

    with clock.travel(T0 + timedelta(minutes=70)):
        sla = api(agent).get(f"/api/v1/tickets/{ticket.pk}").json()["sla"]
        assert sla["clock"]["state"] == "breached"
        assert sla["targets"][0]["breached"] is True
        services.ticket_reply(ticket=ticket, body="On it", by=agent)
        sla = api(agent).get(f"/api/v1/tickets/{ticket.pk}").json()["sla"]
        first = sla["targets"][0]
        assert first["met"] is True and first["breached"] is True  # met, but late


def test_a_ticket_without_policy_has_an_empty_sla(api, agent, ticket):
    sla = api(agent).get(f"/api/v1/tickets/{ticket.pk}").json()["sla"]
    assert sla == {"policy_id": None, "policy_name": "", "clock": None, "targets": []}


def test_ticket_list_with_sla_needs_no_query_per_row(
    api, agent, policy, team, customer, django_assert_max_num_queries
):
    client = api(agent)

    def make(n):
        for i in range(n):
            services.ticket_create(requester=customer, subject=f"T{i}", body="x", team=team)

    make(2)
    client.get("/api/v1/tickets")  # warm up
    with django_assert_max_num_queries(20) as few:
        assert len(client.get("/api/v1/tickets").json()["results"]) == 2
    make(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        results = client.get("/api/v1/tickets").json()["results"]
    assert len(results) == 12
    assert all(r["sla"]["policy_name"] == "Default" for r in results)
    assert all(len(r["sla"]["targets"]) == 2 for r in results)


# --- over real HTTP -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_admin_manages_sla_settings_over_real_http(live_server):
    admin = factories.AdminFactory()
    agent = factories.AgentFactory()
    _, admin_token = api_token_create(user=admin, name="ops")
    _, agent_token = api_token_create(user=agent, name="ops")
    base = f"{live_server.url}/api/v1"
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    calendar = requests.post(
        f"{base}/business-calendars",
        json={"name": "HQ", "time_zone": "Europe/London"},
        headers=as_admin,
        timeout=10,
    )
    assert calendar.status_code == 201, calendar.text
    policy = requests.post(
        f"{base}/sla-policies",
        json={"name": "Everyone", "calendar_id": calendar.json()["id"], "resolution_minutes": 60},
        headers={**as_admin, "Idempotency-Key": "http-1"},
        timeout=10,
    )
    assert policy.status_code == 201, policy.text
    bad = requests.patch(
        f"{base}/sla-policies/{policy.json()['id']}",
        json={"warning_percent": 150},
        headers=as_admin,
        timeout=10,
    )
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["warning_percent"]
    seen = requests.get(
        f"{base}/sla-policies", headers={"Authorization": f"Bearer {agent_token}"}, timeout=10
    )
    assert [p["name"] for p in seen.json()["results"]] == ["Everyone"]
    denied = requests.delete(
        f"{base}/sla-policies/{policy.json()['id']}",
        headers={"Authorization": f"Bearer {agent_token}"},
        timeout=10,
    )
    assert denied.status_code == 403


def test_a_policy_needs_a_target_as_its_schema_says(api, admin_user, policy):
    """POST: at least one target (``anyOf`` in the schema); PATCH: not all three cleared
    (``not``); a PATCH that clears the last target the stored policy has is a 409 — what is
    stored the schema can't know."""
    client = api(admin_user)
    url = f"/api/v1/sla-policies/{policy.pk}"
    cleared = client.patch(
        url, dict.fromkeys(("first_response_minutes", "next_reply_minutes", "resolution_minutes"))
    )
    assert cleared.status_code == 400, cleared.json()
    assert "first_response_minutes" in cleared.json()["error"]["fields"]
    both = client.patch(url, {"first_response_minutes": None, "next_reply_minutes": None})
    assert both.status_code == 200, both.json()
    last = client.patch(url, {"resolution_minutes": None})
    assert last.status_code == 409, last.json()
    assert "resolution_minutes" in last.json()["error"]["fields"]
    policy.refresh_from_db()
    assert policy.resolution_minutes == 480


def test_the_schema_states_the_target_rule(api, admin_user):
    schema = api(admin_user).get("/api/schema/?format=json").json()
    schemas = schema["components"]["schemas"]
    assert len(schemas["SlaPolicyInputRequest"]["anyOf"]) == 3
    assert set(schemas["PatchedSlaPolicyInputRequest"]["not"]["required"]) == {
        "first_response_minutes",
        "next_reply_minutes",
        "resolution_minutes",
    }
