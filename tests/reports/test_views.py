"""The dashboard, its CSV exports and the organization type-ahead: permissions, the numbers on
the page and in the CSV, the filter's errors."""

import re

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tests.reports.conftest import NOW, at


@pytest.fixture
def pm(db):
    return factories.ProductManagerFactory()


@pytest.mark.parametrize("name", ["reports:dashboard", "reports:organizations"])
@pytest.mark.parametrize(
    "who,status", [("anonymous", 302), ("customer", 404), ("agent", 200), ("pm", 200)]
)
def test_report_pages_permissions(client, data, agent, pm, name, who, status):
    user = {
        "anonymous": None,
        "customer": factories.CustomerUserFactory(),
        "agent": agent,
        "pm": pm,
    }[who]
    if user:
        client.force_login(user)
    assert client.get(reverse(name)).status_code == status


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

    from reports.views import organizations

    factories.OrganizationFactory(name="Acme")
    request = RequestFactory().get("/reports/organizations/", {"organization_name": "ac"})
    request.user = factories.AgentFactory()
    with django_assert_num_queries(1) as captured:
        response = organizations(request)
    assert b'<option value="Acme">' in response.content
    assert "LIMIT 20" in captured.captured_queries[0]["sql"]
