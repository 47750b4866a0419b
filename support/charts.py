"""Charts drawn on the server as inline SVG: no chart library, no build step.

Each chart has a ``<title>`` and ``<desc>`` (read by screen readers through ``aria-labelledby``),
a ``<title>`` on every bar or point (shown on hover), and the page shows the same numbers in a
table beside it. Colours come from CSS classes (``chart-s0``, ``chart-s1`` …) in app.css.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)

PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 14, 34


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


def _frame(title: str, desc: str, width: int, height: int, body: list[str]) -> SafeString:
    uid = next(_ids)
    return mark_safe(  # noqa: S308 - every interpolated text is escaped above or here
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}" preserveAspectRatio="xMidYMid meet">'
        f'<title id="chart-t{uid}">{escape(title)}</title>'
        f'<desc id="chart-d{uid}">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _axes(width: int, height: int, top: float, unit: str) -> list[str]:
    """Horizontal grid lines with their values on the left."""
    parts = []
    plot_h = height - PAD_TOP - PAD_BOTTOM
    for i in range(5):
        value = top * i / 4
        y = PAD_TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line class="chart-grid" x1="{PAD_LEFT}" x2="{width - PAD_RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-axis" x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_fmt(value))}{escape(unit)}</text>"
        )
    return parts


def _x_labels(labels: Sequence[str], xs: Sequence[float], height: int) -> list[str]:
    # At most ~8 labels so they never overlap.
    step = max(1, math.ceil(len(labels) / 8))
    return [
        f'<text class="chart-axis" x="{x:.1f}" y="{height - PAD_BOTTOM + 16}" '
        f'text-anchor="middle">{escape(label)}</text>'
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
) -> SafeString:
    """Vertical bars, one per label."""
    top = _axis_max(values)
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    body = _axes(width, height, top, unit)
    xs = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * (value / top) if top else 0
        x = PAD_LEFT + slot * i + (slot - bar_w) / 2
        xs.append(x + bar_w / 2)
        body.append(
            f'<rect class="chart-bar chart-s0" x="{x:.1f}" y="{PAD_TOP + plot_h - h:.1f}" '
            f'width="{bar_w:.1f}" height="{h:.1f}"><title>{escape(label)}: '
            f"{escape(_fmt(value))}{escape(unit)}</title></rect>"
        )
    body += _x_labels(labels, xs, height)
    desc = ", ".join(f"{label}: {_fmt(v)}{unit}" for label, v in zip(labels, values, strict=True))
    return _frame(title, desc[:1000], width, height, body)


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float]],
    unit: str = "",
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """One line per series over shared labels (days, weeks), with a legend."""
    top = _axis_max([v for values in series.values() for v in values])
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    n = len(labels)
    inset = 14  # keeps the first and last points off the axis labels
    step = (plot_w - 2 * inset) / max(n - 1, 1)
    xs = [PAD_LEFT + inset + step * i if n > 1 else PAD_LEFT + plot_w / 2 for i in range(n)]
    body = _axes(width, height, top, unit)
    for s, (name, values) in enumerate(series.items()):
        points = [
            (x, PAD_TOP + plot_h - plot_h * (v / top)) for x, v in zip(xs, values, strict=True)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="chart-line chart-s{s}" points="{path}"/>')
        radius = 3 if n <= 31 else 2
        for (x, y), label, v in zip(points, labels, values, strict=True):
            body.append(
                f'<circle class="chart-dot chart-s{s}" cx="{x:.1f}" cy="{y:.1f}" r="{radius}">'
                f"<title>{escape(name)}, {escape(label)}: {escape(_fmt(v))}{escape(unit)}</title>"
                "</circle>"
            )
        lx = PAD_LEFT + s * 130
        body.append(
            f'<rect class="chart-key chart-s{s}" x="{lx}" y="{height - 12}" '
            'width="10" height="10"/>'
            f'<text class="chart-axis" x="{lx + 14}" y="{height - 3}">{escape(name)}</text>'
        )
    body += _x_labels(labels, xs, height - 4)
    desc = "; ".join(f"{name}: total {_fmt(sum(values))}{unit}" for name, values in series.items())
    return _frame(title, desc, width, height, body)
