"""Reports grouped by an organization field (issue 17): tickets created in the range per value of
each single-choice organization field (plan), on the dashboard and in the CSV, one query per
field whatever the number of organizations."""

import csv
import io

import pytest
from django.urls import reverse

from reports.filters import ReportFilter
from reports.profile_metrics import organization_field_tables
from support import clock
from support.customfields import FieldKind
from tests import factories
from tests.customers.profile_setup import define, define_plan
from tests.reports.conftest import NOW, at
from tickets.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(admin_user):
    define_plan(admin_user)
    define(admin_user, key="notes_text", label="Notes")  # text: not a grouping
    define(
        admin_user,
        key="region",
        kind=FieldKind.CHOICE,
        label="Region",
        choices=[{"value": "emea", "label": "EMEA"}],
    )
    big = factories.OrganizationFactory(name="Big", fields={"plan": "enterprise"})
    small = factories.OrganizationFactory(name="Small", fields={"plan": "free", "region": "emea"})
    bare = factories.OrganizationFactory(name="Bare")
    for org, n in ((big, 3), (small, 1), (bare, 1)):
        for i in range(n):
            factories.TicketFactory(
                created_at=at(2 + i),
                organization=org,
                status=Status.SOLVED if i == 0 else Status.OPEN,
                solved_at=at(5) if i == 0 else None,
            )
    factories.TicketFactory(created_at=at(4), organization=None)
    factories.TicketFactory(created_at=at(1, month=2), organization=big)  # out of range


def test_the_dashboard_groups_ticket_counts_by_plan(client, plans):
    client.force_login(factories.ProductManagerFactory())
    params = {"start": "2026-03-01", "end": "2026-03-10"}
    with clock.travel(NOW):
        page = client.get(reverse("reports:dashboard"), params)
        exported = client.get(reverse("reports:export", args=["org-plan"]), params)
    tables = page.context["report"]["tables"]
    assert tables["org-plan"].headers == ["Plan", "Created", "Solved", "Open now"]
    assert tables["org-plan"].rows == [
        ["Enterprise", 3, 1, 2],
        ["Not set", 2, 1, 1],
        ["Free", 1, 1, 0],
    ]
    assert tables["org-region"].rows == [["Not set", 5, 2, 3], ["EMEA", 1, 1, 0]]
    assert "org-notes_text" not in tables
    body = page.content.decode()
    assert "Per organization plan (tickets created in range)" in body
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["plan", "label", "created", "solved", "open_now"]
    assert rows[1] == ["enterprise", "Enterprise", "3", "1", "2"]


def test_one_query_per_grouped_field_whatever_the_organizations(
    plans, django_assert_max_num_queries
):
    f = ReportFilter(start=at(1).date(), end=at(10).date(), tz=NOW.tzinfo)
    # Two grouped fields: two queries, and (while this test's own transaction holds the field
    # definitions' change) two to read the definitions, which the process's cache keeps after.
    with django_assert_max_num_queries(4) as first:
        organization_field_tables(f)
    budget = len(first.captured_queries)
    for _ in range(10):
        org = factories.OrganizationFactory(fields={"plan": "pro"})
        factories.TicketFactory(created_at=at(3), organization=org)
    with django_assert_max_num_queries(budget):
        tables = organization_field_tables(f)
    assert ["Pro", 10, 0, 10] in tables[0].rows


def test_without_choice_fields_there_is_no_such_table(client, admin_user):
    define(admin_user, key="region", label="Region")
    client.force_login(factories.ProductManagerFactory())
    with clock.travel(NOW):
        page = client.get(reverse("reports:dashboard"))
    assert page.context["report"]["org_field_tables"] == []
