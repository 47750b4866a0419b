"""Charts drawn on the server as inline SVG: no chart library, no build step.

This module works out the geometry (grid lines, bars, lines and points, their positions as SVG
attribute values, and the text of every label and tooltip); ``templates/jinja2/charts/_chart.html``
draws it: ``{% load jinja %}{% jinja "charts/_chart.html" chart=chart %}``. Each chart has a
``<title>`` and ``<desc>`` (read by screen readers through ``aria-labelledby``), a ``<title>`` on
every bar or point (shown on hover), and the page shows the same numbers in a table beside it.
Colours come from CSS classes (``chart-s0``, ``chart-s1`` …) in app.css.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

_ids = itertools.count(1)

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 14, 34


@dataclass(frozen=True)
class GridLine:
    y: str
    label_y: str
    label: str


@dataclass(frozen=True)
class AxisLabel:
    x: str
    text: str


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    title: str


@dataclass(frozen=True)
class Dot:
    cx: str
    cy: str
    title: str


@dataclass(frozen=True)
class Line:
    series: int  # the colour: chart-s0, chart-s1 …
    name: str
    points: str
    dots: list[Dot]
    radius: int
    key_x: int  # the legend's square; its text sits beside it


@dataclass(frozen=True)
class Chart:
    """What ``charts/_chart.html`` draws, in this order: grid, bars, lines, axis labels."""

    title: str
    desc: str
    width: int
    height: int
    grid: list[GridLine]
    labels: list[AxisLabel]
    labels_y: int
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    uid: int = field(default_factory=lambda: next(_ids))  # ids of <title> and <desc>

    # Positions shared by every chart of this size.
    @property
    def grid_left(self) -> int:
        return PAD_LEFT

    @property
    def grid_right(self) -> int:
        return self.width - PAD_RIGHT

    @property
    def grid_label_x(self) -> int:
        return PAD_LEFT - 6

    @property
    def key_y(self) -> int:
        return self.height - 12

    @property
    def key_text_y(self) -> int:
        return self.height - 3


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _axis_max(values) -> float:
    """Axis top with four grid steps; whole-number data gets whole-number steps."""
    top = _nice_max(max(values, default=0))
    if all(float(v).is_integer() for v in values) and not float(top / 4).is_integer():
        top = math.ceil(top / 4) * 4
    return top


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _grid(height: int, top: float, unit: str) -> list[GridLine]:
    """Horizontal grid lines with their values on the left."""
    plot_h = height - PAD_TOP - PAD_BOTTOM
    lines = []
    for i in range(5):
        y = PAD_TOP + plot_h - plot_h * i / 4
        lines.append(GridLine(y=f"{y:.1f}", label_y=f"{y + 4:.1f}", label=_fmt(top * i / 4) + unit))
    return lines


def _x_labels(labels: Sequence[str], xs: Sequence[float]) -> list[AxisLabel]:
    # At most ~8 labels so they never overlap.
    step = max(1, math.ceil(len(labels) / 8))
    return [
        AxisLabel(x=f"{x:.1f}", text=label)
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % step == 0
    ]


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    unit: str = "",
    width: int = 640,
    height: int = 220,
) -> Chart:
    """Vertical bars, one per label."""
    top = _axis_max(values)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    bars, xs = [], []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * (value / top) if top else 0
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        xs.append(x + bar_w / 2)
        bars.append(
            Bar(
                x=f"{x:.1f}",
                y=f"{PAD_TOP + plot_h - h:.1f}",
                width=f"{bar_w:.1f}",
                height=f"{h:.1f}",
                title=f"{label}: {_fmt(value)}{unit}",
            )
        )
    desc = ", ".join(f"{label}: {_fmt(v)}{unit}" for label, v in zip(labels, values, strict=True))
    return Chart(
        title=title,
        desc=desc[:1000],
        width=width,
        height=height,
        grid=_grid(height, top, unit),
        bars=bars,
        labels=_x_labels(labels, xs),
        labels_y=height - PAD_BOTTOM + 16,
    )


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    unit: str = "",
    width: int = 640,
    height: int = 240,
) -> Chart:
    """One line per series over shared labels (days, weeks), with a legend."""
    top = _axis_max([v for values in series.values() for v in values])
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    n = len(labels)
    inset = 14  # keeps the first and last points off the axis labels
    step = (plot_w - 2 * inset) / max(n - 1, 1)
    xs = [PAD_LEFT + inset + step * i if n > 1 else PAD_LEFT + plot_w / 2 for i in range(n)]
    lines = []
    for s, (name, values) in enumerate(series.items()):
        points = [
            (x, PAD_TOP + plot_h - plot_h * (v / top)) for x, v in zip(xs, values, strict=True)
        ]
        dots = [
            Dot(cx=f"{x:.1f}", cy=f"{y:.1f}", title=f"{name}, {label}: {_fmt(v)}{unit}")
            for (x, y), label, v in zip(points, labels, values, strict=True)
        ]
        lines.append(
            Line(
                series=s,
                name=name,
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in points),
                dots=dots,
                radius=3 if n <= 31 else 2,
                key_x=PAD_LEFT + s * 130,
            )
        )
    desc = "; ".join(f"{name}: total {_fmt(sum(values))}{unit}" for name, values in series.items())
    return Chart(
        title=title,
        desc=desc,
        width=width,
        height=height,
        grid=_grid(height, top, unit),
        lines=lines,
        labels=_x_labels(labels, xs),
        labels_y=height - 4 - PAD_BOTTOM + 16,
    )
