"""The product insight page (``reports:product``): tickets per version and week, median first
response and resolution per version, CSAT per version, the top custom field values — for a
date range, in a number of queries that doesn't grow with versions, fields or tickets."""

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tests.reports.conftest import NOW, at, insight_ticket

pytestmark = pytest.mark.django_db


def _get(client, product, **params):
    client.force_login(factories.ProductManagerFactory())
    params = {"start": "2026-03-01", "end": "2026-03-10", **params}
    with clock.travel(NOW):
        return client.get(reverse("reports:product", args=[product.pk]), params)


def test_tickets_per_version_and_week_times_and_csat(client, insight_data):
    page = _get(client, insight_data)
    assert page.status_code == 200
    insight = page.context["insight"]
    # Weeks start on Monday: 23 Feb (1 Mar is a Sunday), 2 Mar, 9 Mar.
    assert [w.isoformat() for w in insight.weeks] == ["2026-02-23", "2026-03-02", "2026-03-09"]
    assert insight.per_week == {"4.2": [0, 1, 1], "4.1": [0, 1, 0], "No version": [0, 0, 1]}
    rows = {r["name"]: r for r in page.context["rows"]}
    assert [r["name"] for r in page.context["rows"]] == ["4.2", "4.1", "No version", "All versions"]
    assert (rows["4.2"]["created"], rows["4.2"]["solved"]) == (2, 1)
    assert rows["4.2"]["first_response"] == "3.0 h"
    assert rows["4.2"]["resolution"] == "10.0 h"
    assert rows["4.2"]["csat"] == "50%"
    assert rows["4.1"]["first_response"] == "1.0 h"
    assert rows["All versions"]["created"] == 4
    assert rows["All versions"]["first_response"] == "2.0 h"  # median of 1 h and 3 h
    assert (rows["All versions"]["csat"], rows["All versions"]["answers"]) == ("67%", 3)
    html = page.content.decode()
    assert "Tickets per version and week" in html and "<svg" in html
    assert '<span class="stat-value">2.0 h</span>' in html  # the summary's median first response


def test_the_top_values_of_each_choice_field(client, insight_data):
    page = _get(client, insight_data)
    tops = {fv.field.key: fv.top for fv in page.context["insight"].fields}
    assert tops == {
        "browser": [("Safari", 2), ("Chrome", 1)],
        "os": [("Mac", 2), ("Linux", 1)],
        "vip": [("Yes", 1)],
    }


def test_the_date_range_narrows_everything(client, insight_data):
    page = _get(client, insight_data, start="2026-03-09", end="2026-03-10")
    rows = {r["name"]: r for r in page.context["rows"]}
    assert rows["All versions"]["created"] == 2
    tops = {fv.field.key: fv.top for fv in page.context["insight"].fields}
    assert tops["browser"] == [("Chrome", 1)]


def test_the_page_takes_the_same_queries_for_more_versions_fields_and_tickets(
    client, insight_data, django_assert_max_num_queries
):
    client.force_login(factories.ProductManagerFactory())
    url = reverse("reports:product", args=[insight_data.pk])
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    with clock.travel(NOW):
        client.get(url, params)  # the process caches (catalog, fields) are filled once
        with django_assert_max_num_queries(17) as small:
            client.get(url, params)
        budget = len(small.captured_queries)
    for i in range(6):
        version = factories.VersionFactory(product=insight_data, name=f"5.{i}")
        factories.TicketFieldFactory(key=f"extra{i}", kind="choice", choices=["a", "b"])
        insight_ticket(insight_data, version, at(4), fields={f"extra{i}": "a", "browser": "chrome"})
    with clock.travel(NOW):
        client.get(url, params)
        with django_assert_max_num_queries(budget):
            page = client.get(url, params)
    assert len(page.context["rows"]) == 10  # 8 versions, none, all


def test_who_sees_the_page(client, insight_data):
    url = reverse("reports:product", args=[insight_data.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(factories.CustomerUserFactory())
    assert client.get(url).status_code == 404
    client.force_login(factories.AgentFactory())
    assert client.get(url).status_code == 200
    assert client.get(reverse("reports:product", args=[999999])).status_code == 404


def test_the_product_page_links_to_its_insight(client, insight_data):
    client.force_login(factories.ProductManagerFactory())
    page = client.get(reverse("products:edit", args=[insight_data.pk])).content.decode()
    assert reverse("reports:product", args=[insight_data.pk]) in page


def test_the_figures_are_reused_for_the_cache_time(client, insight_data, settings):
    settings.REPORTS_CACHE_SECONDS = 60
    first = _get(client, insight_data)
    insight_ticket(insight_data, None, at(5))
    again = _get(client, insight_data)
    assert again.context["insight"].total.created == first.context["insight"].total.created == 4
    settings.REPORTS_CACHE_SECONDS = 0
    assert _get(client, insight_data).context["insight"].total.created == 5


def _tagged(product, version, when, *names):
    ticket = insight_ticket(product, version, when)
    ticket.tags.add(*(factories.TagFactory(name=name) for name in names))
    return ticket


def _item(title, product, *tickets, status="new"):
    from feedback.models import FeedbackItem, TicketFeedbackLink

    item = FeedbackItem.objects.create(title=title, product=product, status=status)
    for t in tickets:
        TicketFeedbackLink.objects.create(
            ticket=t, item=item, customer=t.requester, organization=t.organization
        )
    return item


def test_the_top_tags_of_the_products_tickets_in_the_range(client, insight_data):
    v42 = insight_data.versions.get(name="4.2")
    _tagged(insight_data, v42, at(4), "sso", "billing")
    _tagged(insight_data, None, at(5), "sso")
    _tagged(insight_data, v42, at(20), "sso", "late")  # out of range
    _tagged(factories.ProductFactory(name="Else"), None, at(4), "elsewhere")
    page = _get(client, insight_data)
    assert page.context["insight"].tags == [("sso", 2), ("billing", 1)]
    assert "Top tags" in page.content.decode()


def test_the_products_feedback_items_by_demand(client, insight_data):
    t1, t2, t3 = (insight_ticket(insight_data, None, at(4)) for _ in range(3))
    sso = _item("Single sign-on", insight_data, t1, t2, t3)
    dark = _item("Dark mode", insight_data, t1, status="planned")
    _item("Not asked for yet", insight_data)
    merged = _item("SSO (duplicate)", insight_data, t2)
    merged.merged_into = sso
    merged.save(update_fields=["merged_into"])
    _item("Another product's", factories.ProductFactory(name="Else"), t1, t2, t3)
    page = _get(client, insight_data)
    items = page.context["insight"].items
    assert [(i.title, i.demand) for i in items] == [
        ("Single sign-on", 3),
        ("Dark mode", 1),
        ("Not asked for yet", 0),
    ]
    html = page.content.decode()
    assert reverse("feedback:item_detail", args=[sso.pk]) in html
    assert "Planned" in html and dark.title in html


def test_each_table_as_csv(client, insight_data):
    _tagged(insight_data, None, at(4), "=cmd")
    versions = _get(client, insight_data, csv="versions")
    assert versions.status_code == 200
    assert versions["Content-Type"].startswith("text/csv")
    assert (
        f"switchboard-{insight_data.slug}-versions-2026-03-01-2026-03-10.csv"
        in versions["Content-Disposition"]
    )
    lines = versions.content.decode().splitlines()
    assert lines[0] == (
        "version,created,solved,median_first_response_hours,median_resolution_hours,"
        "csat_percent,csat_answers"
    )
    assert lines[1] == "4.2,2,1,3.00,10.00,50.0,2"
    assert lines[-1].startswith("All versions,5,1,2.00,")
    weeks = _get(client, insight_data, csv="weeks").content.decode().splitlines()
    assert weeks[0] == "week_of,4.2,4.1,No version"
    assert weeks[1:] == ["2026-02-23,0,0,0", "2026-03-02,1,1,1", "2026-03-09,1,0,1"]
    fields = _get(client, insight_data, csv="fields").content.decode().splitlines()
    assert "browser,Safari,2" in fields
    tags = _get(client, insight_data, csv="tags").content.decode().splitlines()
    assert tags == ["tag,tickets", "'=cmd,1"]  # a formula is never a formula in a spreadsheet
    assert _get(client, insight_data, csv="items").content.decode().startswith("item_id,item,")
    refused = _get(client, insight_data, csv="everything")
    assert refused.status_code == 400
    assert "choose one of versions, weeks, fields, tags, items" in refused.content.decode()
