"""Charts: ``support.charts`` works out the geometry, ``charts/_chart.html`` draws the SVG."""

from support.charts import bar_chart, line_chart
from support.templatetags.jinja import render_partial
from tests.markup import html_events


def _elements(chart) -> list[tuple]:
    return [e for e in html_events(render_partial("charts/_chart.html", {"chart": chart}))]


def test_bar_chart_has_a_bar_with_a_tooltip_per_value_and_escapes_labels():
    chart = bar_chart(title="Age <b>", labels=["< 1 day", "1–3 days"], values=[3, 12], unit="h")
    events = _elements(chart)
    svg = events[0]
    assert svg[:2] == ("start", "svg")
    assert dict(svg[2])["aria-labelledby"] == f"chart-t{chart.uid} chart-d{chart.uid}"
    assert ("start", "title", (("id", f"chart-t{chart.uid}"),)) in events
    assert ("text", "Age <b>") in events  # escaped in the markup, read back as text
    assert [dict(e[2])["class"] for e in events if e[:2] == ("start", "rect")] == [
        "chart-bar chart-s0",
        "chart-bar chart-s0",
    ]
    assert ("text", "< 1 day: 3h") in events and ("text", "1–3 days: 12h") in events
    assert sum(1 for e in events if e[:2] == ("start", "line")) == 5  # the grid


def test_line_chart_has_a_line_points_and_a_legend_per_series():
    chart = line_chart(
        title="Created and solved",
        labels=["1 Mar", "2 Mar", "3 Mar"],
        series={"Created": [1, 4, 2], "Solved": [0, 2, 5]},
    )
    events = _elements(chart)
    lines = [dict(e[2]) for e in events if e[:2] == ("start", "polyline")]
    assert [line["class"] for line in lines] == ["chart-line chart-s0", "chart-line chart-s1"]
    assert len(lines[0]["points"].split()) == 3
    assert sum(1 for e in events if e[:2] == ("start", "circle")) == 6
    assert ("text", "Solved, 3 Mar: 5") in events
    keys = [dict(e[2])["class"] for e in events if e[:2] == ("start", "rect")]
    assert keys == ["chart-key chart-s0", "chart-key chart-s1"]
