"""Filtering by custom fields: the workspace's queues and saved views (``field.browser=chrome``,
a bad value ignored as the queues ignore any), the API (a bad one a 400 naming it), the CSV
export with a column per field, and query counts that don't grow with the tickets."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from support.errors import NotFound, ValidationFailed
from tests import factories
from tickets.fields.filters import fields_q
from tickets.fields.models import FieldKind, TicketField
from tickets.fields.services import field_save
from tickets.models import Ticket
from tickets.workspace import saved_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_field(db):
    admin = factories.AdminFactory()
    field = field_save(
        field=TicketField(key="browser", kind=FieldKind.CHOICE, label="Browser"),
        choices=[
            {"value": "chrome", "label": "Chrome"},
            {"value": "firefox", "label": "Firefox"},
            {"value": "edge", "label": "=Edge"},
        ],
        by=admin,
    )
    field_save(field=TicketField(key="seats", kind=FieldKind.NUMBER, label="Seats"), by=admin)
    return field


def _tickets(team, *values):
    made = []
    for i, value in enumerate(values):
        fields = {"browser": value, "seats": i} if value else {}
        made.append(factories.TicketFactory(team=team, subject=f"T{i}", fields=fields))
    return made


def _ids(response) -> set[int]:
    return {row.pk for row in response.context["page"].rows}


def test_a_queue_filters_by_a_choice_any_of_several_values(client, agent, team, browser_field):
    chrome, firefox, _edge, _none = _tickets(team, "chrome", "firefox", "edge", None)
    client.force_login(agent)
    url = reverse("workspace:queue", args=["all"])
    assert _ids(client.get(url, {"field.browser": "chrome"})) == {chrome.pk}
    both = client.get(url + "?field.browser=chrome&field.browser=firefox")
    assert _ids(both) == {chrome.pk, firefox.pk}
    assert _ids(client.get(url, {"field.browser": "chrome", "field.seats": "1"})) == set()
    page = client.get(url, {"field.browser": "firefox"}).content.decode()
    assert '<option value="firefox" selected>Firefox</option>' in page


def test_a_bad_field_filter_in_a_queue_is_ignored(client, agent, team, browser_field):
    _tickets(team, "chrome", "firefox")
    client.force_login(agent)
    url = reverse("workspace:queue", args=["all"])
    assert len(_ids(client.get(url, {"field.browser": "opera"}))) == 2
    assert len(_ids(client.get(url, {"field.nope": "x", "field.seats": "many"}))) == 2


def test_a_saved_view_keeps_a_field_filter(client, agent, team, browser_field):
    chrome, _firefox = _tickets(team, "chrome", "firefox")
    client.force_login(agent)
    response = client.post(
        reverse("workspace:saved_view_create"),
        {"name": "Chrome bugs", "filters": "field.browser=chrome"},
    )
    view = saved_views.SavedView.objects.get(name="Chrome bugs")
    assert view.filters["field.browser"] == ["chrome"]
    assert _ids(client.get(response["Location"])) == {chrome.pk}


def test_a_saved_view_refuses_an_unknown_field(agent, browser_field):
    # A field key naming no field is a 404 naming it, as the API answers (docs/api.md, Contract).
    with pytest.raises(NotFound, match="No ticket field to filter by: field.colour"):
        saved_views.saved_view_create(owner=agent, name="x", filters={"field.colour": ["red"]})


def test_the_api_filters_by_a_value_and_by_no_value(api, agent, team, browser_field):
    chrome, _firefox, _edge, none = _tickets(team, "chrome", "firefox", "edge", None)
    client = api(agent)
    listed = client.get("/api/v1/tickets?field.browser=chrome&field.seats=0").json()
    assert [t["id"] for t in listed["results"]] == [chrome.pk]
    empty = client.get("/api/v1/tickets?field.browser=").json()["results"]
    assert [t["id"] for t in empty] == [none.pk]
    bad = client.get("/api/v1/tickets?field.seats=many")
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["field.seats"]


@pytest.fixture
def os_field(db):
    return field_save(
        field=TicketField(key="os", kind=FieldKind.MULTI_CHOICE, label="Systems"),
        choices=[
            {"value": "mac", "label": "macOS"},
            {"value": "ios", "label": "iOS"},
            {"value": "mac-server", "label": "macOS Server"},
        ],
        by=factories.AdminFactory(),
    )


def test_a_multiple_choice_filter_finds_tickets_whose_list_holds_the_value(
    client, api, agent, team, os_field
):
    both = factories.TicketFactory(team=team, fields={"os": ["mac", "ios"]})
    ios = factories.TicketFactory(team=team, fields={"os": ["ios"]})
    server = factories.TicketFactory(team=team, fields={"os": ["mac-server"]})
    none = factories.TicketFactory(team=team)

    def found(params) -> set[int]:
        return set(Ticket.objects.filter(fields_q(params)).values_list("pk", flat=True))

    assert found({"field.os": ["mac"]}) == {both.pk}  # not "mac-server"
    assert found({"field.os": ["mac-server", "ios"]}) == {both.pk, ios.pk, server.pk}
    assert found({"field.os": [""]}) == {none.pk}
    with pytest.raises(ValidationFailed, match="“linux” is not one of the choices"):
        found({"field.os": ["linux"]})

    client.force_login(agent)
    url = reverse("workspace:queue", args=["all"])
    assert _ids(client.get(url, {"field.os": "ios"})) == {both.pk, ios.pk}
    page = client.get(url).content.decode()
    assert 'name="field.os"' in page and ">iOS<" in page  # a list to pick from

    response = api(agent).get("/api/v1/tickets", {"field.os": "mac"})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [both.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's containment")
def test_on_postgresql_a_multiple_choice_filter_is_a_containment_of_a_list(os_field):
    sql = str(Ticket.objects.filter(fields_q({"field.os": ["mac"]})).query)
    assert "@>" in sql and '["mac"]' in sql  # a list holding the value: the GIN index answers


def test_long_text_fields_cant_be_filtered(browser_field):
    field_save(
        field=TicketField(key="steps", kind=FieldKind.LONG_TEXT, label="Steps"),
        by=factories.AdminFactory(),
    )
    with pytest.raises(ValidationFailed, match="Steps can't be filtered by."):
        Ticket.objects.filter(fields_q({"field.steps": ["x"]}))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's containment")
def test_on_postgresql_a_field_filter_is_a_containment_the_gin_index_answers(browser_field):
    sql = str(Ticket.objects.filter(fields_q({"field.browser": ["chrome"]})).query)
    assert "@>" in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_fields_gin'")
        assert "jsonb_path_ops" in cursor.fetchone()[0]


def _export(client, url, params=None) -> list[list[str]]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_export_has_a_column_per_field_as_it_reads(client, agent, team, browser_field):
    _tickets(team, "chrome", "edge", None)
    client.force_login(agent)
    rows = _export(client, reverse("workspace:queue_export", args=["all"]))
    header = rows[0]
    assert header[:3] == ["id", "subject", "status"] and header[-2:] == ["Browser", "Seats"]
    by_subject = {row[1]: row for row in rows[1:]}
    assert by_subject["T0"][-2:] == ["Chrome", "0"]
    assert by_subject["T1"][-2:] == ["'=Edge", "1"]  # no formula in a spreadsheet
    assert by_subject["T2"][-2:] == ["", ""]
    only = _export(
        client, reverse("workspace:queue_export", args=["all"]), {"field.browser": "chrome"}
    )
    assert [row[1] for row in only[1:]] == ["T0"]


def test_the_export_is_for_agents_only(client, team, browser_field):
    url = reverse("workspace:queue_export", args=["all"])
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(factories.CustomerUserFactory())
    assert client.get(url).status_code in (403, 404)


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


def test_filtering_and_exporting_take_the_same_queries_for_3_or_30_tickets(
    client, agent, team, browser_field
):
    client.force_login(agent)
    queue = reverse("workspace:queue", args=["all"])
    export = reverse("workspace:queue_export", args=["all"])

    def run():
        client.get(queue, {"field.browser": "chrome"})
        b"".join(client.get(export, {"field.browser": "chrome"}).streaming_content)

    _tickets(team, *["chrome"] * 3)
    run()  # warm the process caches
    few = _queries(run)
    _tickets(team, *["chrome"] * 27)
    many = _queries(run)
    assert few == many
