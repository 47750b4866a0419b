"""The dashboard grouped by a custom choice field (``?group=<key>``): per value (labels as they
read now, "No value" too) the tickets created in the range, solved, and CSAT — in the same
number of queries for 2 values or 6."""

import pytest
from django.urls import reverse

from support import clock
from tests import factories
from tests.reports.conftest import NOW, at, insight_survey, insight_ticket

pytestmark = pytest.mark.django_db
RANGE = {"start": "2026-03-01", "end": "2026-03-10"}


@pytest.fixture
def plans(db):
    factories.TicketFieldFactory(key="plan", kind="choice", choices=["free", "pro"])
    factories.TicketFieldFactory(key="notes", kind="text")  # not offered: not a choice
    pro = insight_ticket(None, None, at(2), fields={"plan": "pro"}, solved=at(3))
    insight_ticket(None, None, at(4), fields={"plan": "pro"})
    free = insight_ticket(None, None, at(5), fields={"plan": "free"})
    insight_ticket(None, None, at(6))
    insight_ticket(None, None, at(20), fields={"plan": "free"})  # out of range
    insight_survey(pro, "good", at(4))
    insight_survey(free, "bad", at(6))


def _page(client, **params):
    client.force_login(factories.ProductManagerFactory())
    with clock.travel(NOW):
        return client.get(reverse("reports:dashboard"), {**RANGE, **params})


def test_the_dashboard_groups_by_a_choice_field(client, plans):
    page = _page(client, group="plan")
    rows = [
        (r["name"], r["created"], r["solved"], r["csat"].score) for r in page.context["group_rows"]
    ]
    assert rows == [("Pro", 2, 1, 100.0), ("Free", 1, 0, 0.0), ("No value", 1, 0, None)]
    html = page.content.decode()
    assert '<option value="plan" selected>Plan</option>' in html
    assert 'value="notes"' not in html
    assert "Per Plan" in html


def test_an_unknown_or_unfit_field_shows_no_grouping(client, plans):
    for key in ("nope", "notes"):
        assert "group_rows" not in _page(client, group=key).context


def test_grouping_takes_the_same_queries_for_more_values(
    client, plans, django_assert_max_num_queries
):
    _page(client, group="plan")
    with django_assert_max_num_queries(60) as few:
        _page(client, group="plan")
    budget = len(few.captured_queries)
    field = factories.TicketFieldFactory(key="plan")
    for value in ("team", "business", "enterprise", "edu"):
        factories.FieldChoiceFactory(field=field, value=value, label=value.title())
        insight_ticket(None, None, at(7), fields={"plan": value})
    _page(client, group="plan")
    with django_assert_max_num_queries(budget):
        page = _page(client, group="plan")
    assert len(page.context["group_rows"]) == 7
