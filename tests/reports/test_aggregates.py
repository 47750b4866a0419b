"""The building blocks of the report's aggregates."""

import pytest

from reports.aggregates import percentile


def test_percentile_matches_percentile_cont():
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.9) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9) == pytest.approx(4.6)
