"""The product insight page (``reports:product``): tickets per version and week, median first
response and resolution per version, CSAT per version, the top custom field values — for a
date range, in a number of queries that doesn't grow with versions, fields or tickets."""

from datetime import timedelta

import pytest
from django.urls import reverse

from feedback.models import CsatSurvey
from support import clock
from tests import factories
from tests.reports.conftest import NOW, at
from tickets.models import Status, Ticket, ticket_keys_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cloud(db):
    product = factories.ProductFactory(name="Cloud")
    factories.VersionFactory(product=product, name="4.1")
    factories.VersionFactory(product=product, name="4.2")
    factories.TicketFieldFactory(key="browser", kind="choice", choices=["safari", "chrome"])
    factories.TicketFieldFactory(key="os", kind="multi_choice", choices=["mac", "linux"])
    factories.TicketFieldFactory(key="vip", kind="checkbox")
    factories.TicketFieldFactory(key="order", kind="text")  # not counted: free text
    return product


def _ticket(product, version, created, *, fields=None, responded=None, solved=None):
    ticket = factories.TicketFactory(
        product=product,
        version=version,
        created_at=created,
        status=Status.SOLVED if solved else Status.OPEN,
        solved_at=solved,
    )
    Ticket.objects.filter(pk=ticket.pk).update(fields=fields or {}, first_responded_at=responded)
    return ticket


def _survey(ticket, rating, sent):
    CsatSurvey.objects.create(
        ticket=ticket,
        customer=ticket.requester,
        token=f"tok{ticket.pk}",
        due_at=sent,
        sent_at=sent,
        rating=rating,
        answered_at=sent,
        **ticket_keys_of(ticket),
    )


@pytest.fixture
def data(cloud):
    v41, v42 = cloud.versions.get(name="4.1"), cloud.versions.get(name="4.2")
    h = timedelta(hours=1)
    a = _ticket(
        cloud, v41, at(2), fields={"browser": "safari", "os": ["mac", "linux"]}, responded=at(2) + h
    )
    b = _ticket(
        cloud,
        v42,
        at(3),
        fields={"browser": "safari", "vip": True},
        responded=at(3) + 3 * h,
        solved=at(3) + 10 * h,
    )
    c = _ticket(cloud, v42, at(9), fields={"browser": "chrome", "os": ["mac"]})
    _ticket(cloud, None, at(10))
    _ticket(cloud, v41, at(20))  # out of range
    _ticket(factories.ProductFactory(name="Other"), None, at(3), fields={"browser": "chrome"})
    _survey(b, "good", at(5))
    _survey(c, "bad", at(9))
    _survey(a, "good", at(9))
    return cloud


def _get(client, product, **params):
    client.force_login(factories.ProductManagerFactory())
    params = {"start": "2026-03-01", "end": "2026-03-10", **params}
    with clock.travel(NOW):
        return client.get(reverse("reports:product", args=[product.pk]), params)


def test_tickets_per_version_and_week_times_and_csat(client, data):
    page = _get(client, data)
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


def test_the_top_values_of_each_choice_field(client, data):
    page = _get(client, data)
    tops = {fv.field.key: fv.top for fv in page.context["insight"].fields}
    assert tops == {
        "browser": [("Safari", 2), ("Chrome", 1)],
        "os": [("Mac", 2), ("Linux", 1)],
        "vip": [("Yes", 1)],
    }


def test_the_date_range_narrows_everything(client, data):
    page = _get(client, data, start="2026-03-09", end="2026-03-10")
    rows = {r["name"]: r for r in page.context["rows"]}
    assert rows["All versions"]["created"] == 2
    tops = {fv.field.key: fv.top for fv in page.context["insight"].fields}
    assert tops["browser"] == [("Chrome", 1)]


def test_the_page_takes_the_same_queries_for_more_versions_fields_and_tickets(
    client, data, django_assert_max_num_queries
):
    client.force_login(factories.ProductManagerFactory())
    url = reverse("reports:product", args=[data.pk])
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    with clock.travel(NOW):
        client.get(url, params)  # the process caches (catalog, fields) are filled once
        with django_assert_max_num_queries(15) as small:
            client.get(url, params)
        budget = len(small.captured_queries)
    for i in range(6):
        version = factories.VersionFactory(product=data, name=f"5.{i}")
        factories.TicketFieldFactory(key=f"extra{i}", kind="choice", choices=["a", "b"])
        _ticket(data, version, at(4), fields={f"extra{i}": "a", "browser": "chrome"})
    with clock.travel(NOW):
        client.get(url, params)
        with django_assert_max_num_queries(budget):
            page = client.get(url, params)
    assert len(page.context["rows"]) == 10  # 8 versions, none, all


def test_who_sees_the_page(client, data):
    url = reverse("reports:product", args=[data.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(factories.CustomerUserFactory())
    assert client.get(url).status_code == 404
    client.force_login(factories.AgentFactory())
    assert client.get(url).status_code == 200
    assert client.get(reverse("reports:product", args=[999999])).status_code == 404


def test_the_product_page_links_to_its_insight(client, data):
    client.force_login(factories.ProductManagerFactory())
    page = client.get(reverse("products:edit", args=[data.pk])).content.decode()
    assert reverse("reports:product", args=[data.pk]) in page
