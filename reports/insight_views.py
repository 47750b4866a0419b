"""The product insight page: one product's tickets per version and week, response and resolution
times, CSAT, the top custom field values and tags, and its feedback items by demand, for a date
range (``reports.product_insight``) — and the same tables as CSV (``?csv=versions|weeks|fields|
tags|items``)."""

from __future__ import annotations

import csv
import dataclasses

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.decorators import insights_required
from products.cache import catalog
from reports.filter_form import PRESETS, FilterError, parse_filter
from reports.filters import ReportFilter
from reports.product_insight import ProductInsight, product_insight
from reports.views import csv_safe, format_duration, hours
from support.charts import line_chart


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _cached_insight(f: ReportFilter, product_id: int, versions: list) -> ProductInsight:
    """The figures for a product and range, kept ``REPORTS_CACHE_SECONDS`` like the dashboard's
    (a year of a big product is seconds of scanning at 1,000,000 tickets)."""
    seconds = settings.REPORTS_CACHE_SECONDS
    if not seconds:
        return product_insight(f, product_id=product_id, versions=versions)
    key = f"reports:product:v2:{product_id}:{f.start}:{f.end}:{f.tz.key}"
    insight = cache.get(key)
    if insight is None:
        insight = product_insight(f, product_id=product_id, versions=versions)
        cache.set(key, insight, seconds)
    return insight


CHART_SERIES = 3  # lines the chart can tell apart; the rest are summed as "Other versions"


def _chart_series(per_week: dict[str, list[int]]) -> dict[str, list[int]]:
    """The versions with most tickets as their own lines, the others as one (the table below
    the chart has every version)."""
    ranked = sorted(per_week.items(), key=lambda item: -sum(item[1]))
    if len(ranked) <= CHART_SERIES + 1:
        return dict(ranked)
    shown = dict(ranked[:CHART_SERIES])
    rest = [counts for _, counts in ranked[CHART_SERIES:]]
    shown[_("Other versions")] = [sum(week) for week in zip(*rest, strict=True)]
    return shown


@insights_required
def product_page(request: HttpRequest, pk: int) -> HttpResponse:
    shelf = catalog.get()
    product = shelf.product(pk)
    if product is None:
        raise Http404("No such product.")
    try:
        f = parse_filter(request, shelf=shelf).report
    except FilterError as bad:
        f = bad.filters.report
    # Only the range applies here: the dashboard's team, agent, organization, channel and
    # product, version and component don't (the product is the page's own).
    f = dataclasses.replace(
        f,
        team_id=None,
        agent_id=None,
        organization_id=None,
        channel="",
        product_id=None,
        version_id=None,
        component_id=None,
    )
    insight = _cached_insight(f, product.pk, shelf.versions_of(product.pk))
    if "csv" in request.GET:
        return _csv(request.GET["csv"], product, f, insight)
    chart = line_chart(
        title=format_lazy(
            _("{product}: tickets created per week, by version"), product=product.name
        ),
        labels=[date_format(week, "j M") for week in insight.weeks],
        series=_chart_series(insight.per_week) or {_("Tickets"): [0 for _week in insight.weeks]},
    )
    rows = [
        {
            "name": row.name,
            "created": row.created,
            "solved": row.solved,
            "first_response": format_duration(row.first_response.median),
            "resolution": format_duration(row.resolution.median),
            "csat": _pct(row.csat.score),
            "answers": row.csat.answered,
        }
        for row in [*insight.versions, insight.total]
    ]
    return render(
        request,
        "reports/product_insight.html",
        {
            "product": product,
            "products": shelf.products,
            "f": f,
            "presets": PRESETS,
            "insight": insight,
            "chart": chart,
            "rows": rows,
            "week_rows": [
                (week, [counts[i] for counts in insight.per_week.values()])
                for i, week in enumerate(insight.weeks)
            ],
            "nav": "reports",
        },
    )


CSV_TABLES = ("versions", "weeks", "fields", "tags", "items")


def _csv_rows(table: str, insight: ProductInsight) -> tuple[list[str], list[list]]:
    if table == "versions":
        headers = ["version", "created", "solved", "median_first_response_hours"]
        headers += ["median_resolution_hours", "csat_percent", "csat_answers"]
        rows = [
            [
                r.name,
                r.created,
                r.solved,
                hours(r.first_response.median),
                hours(r.resolution.median),
                "" if r.csat.score is None else f"{r.csat.score:.1f}",
                r.csat.answered,
            ]
            for r in [*insight.versions, insight.total]
        ]
        return headers, rows
    if table == "weeks":
        names = list(insight.per_week)
        return ["week_of", *names], [
            [week.isoformat(), *(insight.per_week[name][i] for name in names)]
            for i, week in enumerate(insight.weeks)
        ]
    if table == "fields":
        return ["field", "value", "tickets"], [
            [fv.field.key, label, n] for fv in insight.fields for label, n in fv.top
        ]
    if table == "tags":
        return ["tag", "tickets"], [[tag, n] for tag, n in insight.tags]
    return ["item_id", "item", "status", "tickets", "customers", "organizations"], [
        [i.pk, i.title, i.status, i.demand, i.customer_count, i.organization_count]
        for i in insight.items
    ]


def _csv(table: str, product, f: ReportFilter, insight: ProductInsight) -> HttpResponse:
    if table not in CSV_TABLES:
        return HttpResponse(
            f"No such table: choose one of {', '.join(CSV_TABLES)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    headers, rows = _csv_rows(table, insight)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="switchboard-{product.slug}-{table}-{f.start}-{f.end}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return response
