"""CSAT and product-feedback demand figures against values worked out by hand on the fixed data
set (``conftest``)."""

import pytest

from reports.feedback_metrics import top_feedback_items
from reports.grouped import grouped_report
from tests.reports.conftest import NOW, rf


def test_csat_score_and_response_rate(data):
    stat = grouped_report(rf(), now=NOW).csat
    assert (stat.sent, stat.answered, stat.good, stat.bad) == (4, 3, 2, 1)
    assert stat.score == pytest.approx(200 / 3)
    assert stat.response_rate == pytest.approx(75)


def test_top_feedback_items(data):
    items = top_feedback_items(rf())
    assert [(i["item__title"], i["links"], i["customers"], i["organizations"]) for i in items] == [
        ("SSO", 2, 2, 1),
        ("Dark mode", 1, 1, 0),
    ]
    assert grouped_report(rf(), now=NOW).items == items
