"""The dashboard's product, version and component filters (issue 17): every part of the report
and every CSV narrows to them — ticket parts on the ticket's columns, SLA and CSAT parts on the
copy of the ticket's keys — and a filter naming nothing is a form error, not a report.

Over the fixed data set of ``conftest`` (1–10 March): T1 Cloud 4.1 Billing, T2 Cloud 4.2,
T3 Desk 1.0, T4 Cloud 4.1; T5–T7 without a product."""

import csv
import io

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tests.reports.conftest import NOW
from tickets.models import Ticket
from tickets.services import ticket_keys_sync

pytestmark = pytest.mark.django_db

PARAMS = {"start": "2026-03-01", "end": "2026-03-10"}


@pytest.fixture
def shelf(sla_data):
    T = sla_data["T"]
    cloud, desk = factories.ProductFactory(name="Cloud"), factories.ProductFactory(name="Desk")
    v41 = factories.VersionFactory(product=cloud, name="4.1")
    v42 = factories.VersionFactory(product=cloud, name="4.2")
    d10 = factories.VersionFactory(product=desk, name="1.0")
    billing = factories.ComponentFactory(product=cloud, name="Billing")
    printing = factories.ComponentFactory(product=desk, name="Printing")
    for n, values in {
        1: (cloud, v41, billing),
        2: (cloud, v42, None),
        3: (desk, d10, None),
        4: (cloud, v41, None),
    }.items():
        ticket = T[n]
        ticket.product, ticket.version, ticket.component = values
        Ticket.objects.filter(pk=ticket.pk).update(
            product=values[0], version=values[1], component=values[2]
        )
        ticket_keys_sync(ticket)  # as ticket_update does in the same change
    return {
        **sla_data,
        "cloud": cloud,
        "desk": desk,
        "v41": v41,
        "v42": v42,
        "d10": d10,
        "billing": billing,
        "printing": printing,
    }


@pytest.fixture
def signed_in(client):
    client.force_login(factories.ProductManagerFactory())
    return client


def report(client, **params):
    with clock.travel(NOW):
        return client.get(reverse("reports:dashboard"), {**PARAMS, **params})


def export(client, table, **params):
    with clock.travel(NOW):
        response = client.get(reverse("reports:export", args=[table]), {**PARAMS, **params})
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode())))


def sla_totals(page) -> tuple[int, int]:
    rows = page.context["tables"]["sla"].csv_rows
    return sum(r[1] for r in rows), sum(r[2] for r in rows)


def test_the_product_filter_narrows_every_part(signed_in, shelf):
    page = report(signed_in, product=shelf["cloud"].pk)
    assert page.status_code == 200
    summary = page.context["summary"]
    # T1, T2, T4 created in range; T1 and T2 solved in it; T4 still open.
    assert (summary["created"], summary["solved"], summary["open"]) == (3, 2, 1)
    tables = page.context["tables"]
    assert tables["csat"].rows == [[2, 2, 1, 1, "50%", "100%"]]  # T1 good, T2 bad
    # Met: T1 FR and RES, T2 RES, T4 NR; breached: T2 FR (late), T2 NR, T4 FR.
    assert sla_totals(page) == (4, 3)
    assert tables["tags"].rows == [["billing", 3], ["bug", 1]]
    assert [r[0] for r in tables["items"].rows] == ["Dark mode", "SSO"]
    assert tables["products"].rows == [["Cloud", 3, 2, 2, "50%"]]
    assert tables["versions"].rows == [["Cloud", "4.1", 2], ["Cloud", "4.2", 1]]
    assert [(r[0], r[1]) for r in tables["agents"].rows] == [("Ann", 2), ("Bo", 1)]
    unfiltered = report(signed_in)
    assert unfiltered.context["summary"]["created"] == 5
    assert sla_totals(unfiltered) == (5, 6)


def test_the_version_filter(signed_in, shelf):
    page = report(signed_in, product=shelf["cloud"].pk, version=shelf["v41"].pk)
    summary = page.context["summary"]
    assert (summary["created"], summary["solved"], summary["open"]) == (2, 1, 1)  # T1, T4
    assert page.context["tables"]["csat"].rows == [[1, 1, 1, 0, "100%", "100%"]]
    assert sla_totals(page) == (3, 1)  # T1 FR, T1 RES, T4 NR met; T4 FR breached
    assert page.context["tables"]["versions"].rows == [["Cloud", "4.1", 2]]


def test_the_component_filter(signed_in, shelf):
    page = report(signed_in, component=shelf["billing"].pk)
    assert page.context["f"].product_id == shelf["cloud"].pk  # narrowed to its product
    summary = page.context["summary"]
    assert (summary["created"], summary["solved"], summary["open"]) == (1, 1, 0)  # T1
    assert sla_totals(page) == (2, 0)
    assert page.context["tables"]["products"].rows == [["Cloud", 1, 1, 1, "100%"]]


def test_another_product(signed_in, shelf):
    page = report(signed_in, product=shelf["desk"].pk)
    assert page.context["summary"]["created"] == 1  # T3
    assert sla_totals(page) == (1, 1)  # T3 RES met, FR breached
    assert page.context["tables"]["csat"].rows[0][:2] == [1, 0]  # sent, not answered


def test_a_version_alone_narrows_to_its_product_and_the_form_shows_both(signed_in, shelf):
    page = report(signed_in, version=shelf["v42"].pk)
    assert page.status_code == 200
    assert (page.context["f"].product_id, page.context["f"].version_id) == (
        shelf["cloud"].pk,
        shelf["v42"].pk,
    )
    assert page.context["summary"]["created"] == 1  # T2
    html = page.content.decode()
    assert f'<option value="{shelf["cloud"].pk}" selected>Cloud</option>' in html
    assert f'<option value="{shelf["v42"].pk}" selected>4.2</option>' in html
    # With the product chosen, only its versions and components are offered, ungrouped.
    assert "<optgroup" not in html and ">1.0<" not in html and ">Printing<" not in html


def test_every_csv_follows_the_filter(signed_in, shelf):
    params = {"product": shelf["cloud"].pk, "version": shelf["v41"].pk}
    page = report(signed_in, **params)
    tables = page.context["tables"]
    for key, table in tables.items():
        rows = export(signed_in, key, **params)
        expected = [[str(v) for v in row] for row in table.csv_rows]
        assert rows[1:] == expected, key
    assert export(signed_in, "daily", **params)[1:] != export(signed_in, "daily")[1:]
    assert export(signed_in, "csat", **params)[1][:4] == ["1", "1", "1", "0"]
    assert export(signed_in, "products", **params)[1][1:4] == ["Cloud", "2", "1"]


def test_without_a_product_every_product_s_versions_are_offered_grouped(signed_in, shelf):
    html = report(signed_in).content.decode()
    assert '<select id="r-product" name="product"' in html
    assert '<optgroup label="Cloud">' in html and '<optgroup label="Desk">' in html
    assert ">Printing<" in html and ">4.1<" in html


def test_the_lists_follow_the_product(signed_in, shelf):
    url = reverse("reports:product-parts")
    html = signed_in.get(url, {"product": shelf["desk"].pk}).content.decode()
    assert ">1.0<" in html and ">Printing<" in html
    assert ">4.1<" not in html and ">Billing<" not in html and "<optgroup" not in html
    everything = signed_in.get(url, {"product": ""}).content.decode()
    assert '<optgroup label="Cloud">' in everything and ">1.0<" in everything


@pytest.mark.parametrize(
    "who,status", [("anonymous", 302), ("customer", 404), ("agent", 200), ("pm", 200)]
)
def test_the_lists_are_for_insight_users_only(client, db, who, status):
    user = {
        "anonymous": None,
        "customer": factories.CustomerUserFactory(),
        "agent": factories.AgentFactory(),
        "pm": factories.ProductManagerFactory(),
    }[who]
    if user:
        client.force_login(user)
    assert client.get(reverse("reports:product-parts")).status_code == status


@pytest.mark.parametrize(
    "params,field,message",
    [
        ({"product": "987654"}, "product", "No product has the id “987654”."),
        ({"product": "cloud"}, "product", "No product has the id “cloud”."),
        ({"version": "987654"}, "version", "No version has the id “987654”."),
        ({"component": "x1"}, "component", "No component has the id “x1”."),
    ],
)
def test_an_unknown_id_is_a_form_error(signed_in, shelf, params, field, message):
    response = report(signed_in, **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'aria-describedby="r-{field}-error"' in html
    assert "report" not in response.context and "report-summary" not in html


def test_a_version_or_component_of_another_product_is_a_form_error(signed_in, shelf):
    response = report(
        signed_in,
        product=shelf["cloud"].pk,
        version=shelf["d10"].pk,
        component=shelf["printing"].pk,
        team=shelf["t1"].pk,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Version “1.0” is not one of Cloud’s versions." in html
    assert "Component “Printing” is not one of Cloud’s components." in html
    # The rest of the form stays as asked, to be corrected; no numbers.
    assert f'<option value="{shelf["cloud"].pk}" selected>Cloud</option>' in html
    assert f'<option value="{shelf["t1"].pk}" selected>' in html
    assert "summary" not in response.context and "<svg" not in html


def test_a_version_and_component_of_two_products_without_a_product(signed_in, shelf):
    response = report(signed_in, version=shelf["v41"].pk, component=shelf["printing"].pk)
    assert response.status_code == 400
    assert "Component “Printing” is not one of Cloud’s components." in response.content.decode()


def test_csv_of_a_wrong_version_is_a_plain_400(signed_in, shelf):
    with clock.travel(NOW):
        response = signed_in.get(
            reverse("reports:export", args=["daily"]),
            {**PARAMS, "product": shelf["desk"].pk, "version": shelf["v41"].pk},
        )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Version “4.1” is not one of Desk’s versions."


def test_the_filters_cost_no_query_more(signed_in, shelf, django_assert_max_num_queries):
    report(signed_in)
    with django_assert_max_num_queries(60) as plain:
        report(signed_in)
    budget = len(plain.captured_queries)
    filters = {
        "product": shelf["cloud"].pk,
        "version": shelf["v41"].pk,
        "component": shelf["billing"].pk,
    }
    with django_assert_max_num_queries(budget):
        page = report(signed_in, **filters)
    assert page.context["summary"]["created"] == 1


def test_the_cached_report_is_per_product(signed_in, shelf, settings):
    settings.REPORTS_CACHE_SECONDS = 60
    assert report(signed_in, product=shelf["cloud"].pk).context["summary"]["created"] == 3
    assert report(signed_in, product=shelf["desk"].pk).context["summary"]["created"] == 1
    assert report(signed_in, version=shelf["v42"].pk).context["summary"]["created"] == 1
