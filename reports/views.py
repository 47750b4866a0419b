"""The reports dashboard and its CSV exports: the same tables, two renderings."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, get_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from accounts.decorators import insights_required
from accounts.models import Role, Team, User
from customers.models import Organization
from products.cache import Catalog, catalog
from reports import field_groups, product_metrics, profile_metrics
from reports.feedback_metrics import CsatStat
from reports.filter_form import PRESETS, FilterError, Filters, parse_filter, product_choices
from reports.filters import ReportFilter
from reports.grouped import GroupedReport, GroupRow, grouped_report
from reports.session import report_session
from reports.sla_metrics import SlaStat
from reports.tables import Table
from support import clock
from support.charts import Chart, bar_chart, line_chart
from tickets.models import Channel
from tickets.sla.models import TargetKind

SLA_LABELS = dict(TargetKind.choices)
ORGANIZATION_OPTIONS = 20  # names offered by the type-ahead


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes, point = seconds / 60, get_format("DECIMAL_SEPARATOR")
    if minutes < 60:
        return gettext("%(n)s min") % {"n": f"{minutes:.0f}"}
    hours = minutes / 60
    if hours < 48:
        return gettext("%(n)s h") % {"n": f"{hours:.1f}".replace(".", point)}
    return gettext("%(n)s d") % {"n": f"{hours / 24:.1f}".replace(".", point)}


def hours(seconds: float | None) -> str:
    """For CSV: hours with two decimals, empty when unknown."""
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}%"


def _csv_pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _group_table(key: str, title: str, label: str, rows: list[GroupRow]) -> Table:
    table = Table(
        key=key,
        title=title,
        headers=[
            label,
            _("Created"),
            _("Solved"),
            _("Open now"),
            _("Median first response"),
            _("Median resolution"),
            _("First response, business"),
            _("Resolution, business"),
            _("SLA met"),
            _("CSAT"),
            _("Answers"),
        ],
        csv_headers=[
            label,
            "created",
            "solved",
            "open_now",
            "first_response_median_hours",
            "first_response_p90_hours",
            "resolution_median_hours",
            "resolution_p90_hours",
            "first_response_business_median_hours",
            "first_response_business_p90_hours",
            "resolution_business_median_hours",
            "resolution_business_p90_hours",
            "sla_met",
            "sla_breached",
            "sla_achievement_percent",
            "csat_score_percent",
            "csat_answered",
            "csat_sent",
        ],
    )
    for r in rows:
        fr, res, cs = r.first_response, r.resolution, r.csat
        frb, resb, sla = r.first_response_business, r.resolution_business, r.sla
        table.rows.append(
            [
                r.name,
                r.created,
                r.solved,
                r.open_now,
                format_duration(fr.median if fr else None),
                format_duration(res.median if res else None),
                format_duration(frb.median if frb else None),
                format_duration(resb.median if resb else None),
                _pct(sla.achievement if sla else None),
                _pct(cs.score if cs else None),
                cs.answered if cs else 0,
            ]
        )
        table.csv_rows.append(
            [
                r.name,
                r.created,
                r.solved,
                r.open_now,
                hours(fr.median if fr else None),
                hours(fr.p90 if fr else None),
                hours(res.median if res else None),
                hours(res.p90 if res else None),
                hours(frb.median if frb else None),
                hours(frb.p90 if frb else None),
                hours(resb.median if resb else None),
                hours(resb.p90 if resb else None),
                sla.met if sla else 0,
                sla.breached if sla else 0,
                _csv_pct(sla.achievement if sla else None),
                _csv_pct(cs.score if cs else None),
                cs.answered if cs else 0,
                cs.sent if cs else 0,
            ]
        )
    return table


WEEKLY_CHART_AFTER_DAYS = 45


def _chart_buckets(daily: list[tuple[date, int, int]]) -> tuple[list[tuple[date, int, int]], str]:
    """Long ranges are charted per week (a line of 90 daily points is unreadable); the table and
    the CSV stay per day."""
    if len(daily) <= WEEKLY_CHART_AFTER_DAYS:
        return daily, "day"
    weeks: dict[date, list[int]] = {}
    for day, created, solved in daily:
        week = day - timedelta(days=day.weekday())
        totals = weeks.setdefault(week, [0, 0])
        totals[0] += created
        totals[1] += solved
    return [(week, c, s) for week, (c, s) in weeks.items()], "week"


def build_report(f: ReportFilter) -> dict:
    with report_session() as session:
        report = _build_report(grouped_report(f, session=session))
        report["tables"].update({t.key: t for t in _product_tables(f)})
        by_org_field = profile_metrics.organization_field_tables(f)
        report["tables"].update({t.key: t for t in by_org_field})
        report["org_field_tables"] = by_org_field
        return report


def _product_tables(f: ReportFilter) -> list[Table]:
    """Tickets by product and by version, with CSAT per product (issue 17)."""
    products = product_metrics.tickets_by_product(f)
    csat = product_metrics.csat_by_product(f)
    versions = product_metrics.tickets_by_version(f)
    empty = CsatStat(sent=0, answered=0, good=0, bad=0)
    rows = [(p, csat.get(p["product_id"], empty)) for p in products]
    return [
        Table(
            "products",
            _("Per product (tickets created in range; CSAT of surveys sent in range)"),
            [_("Product"), _("Created"), _("Solved"), _("CSAT answers"), _("CSAT score")],
            rows=[
                [p["product__name"], p["created"], p["solved"], c.answered, _pct(c.score)]
                for p, c in rows
            ],
            csv_headers=[
                "product_id",
                "product",
                "created",
                "solved",
                "csat_answers",
                "csat_good",
                "csat_score_percent",
            ],
            csv_rows=[
                [
                    p["product_id"],
                    p["product__name"],
                    p["created"],
                    p["solved"],
                    c.answered,
                    c.good,
                    _csv_pct(c.score),
                ]
                for p, c in rows
            ],
        ),
        Table(
            "versions",
            _("Per version (tickets created in range)"),
            [_("Product"), _("Version"), _("Created")],
            rows=[[v["product__name"], v["version__name"], v["created"]] for v in versions],
            csv_headers=["product", "version_id", "version", "status", "created"],
            csv_rows=[
                [
                    v["product__name"],
                    v["version_id"],
                    v["version__name"],
                    v["version__status"],
                    v["created"],
                ]
                for v in versions
            ],
            numeric_from=2,
        ),
    ]


def _build_report(grouped: GroupedReport) -> dict:
    daily = grouped.daily
    groups = grouped.tables
    backlog = grouped.backlog
    times = {"first_response": grouped.first_response, "resolution": grouped.resolution}
    business = {
        "first_response": grouped.first_response_business,
        "resolution": grouped.resolution_business,
    }
    sla = grouped.sla
    csat = grouped.csat
    tags = grouped.tags
    items = grouped.items

    tables = [
        Table(
            "daily",
            _("Created and solved per day"),
            [_("Day"), _("Created"), _("Solved")],
            rows=[[date_format(d, "D j M"), c, s] for d, c, s in daily],
            csv_headers=["day", "created", "solved"],
            csv_rows=[[d.isoformat(), c, s] for d, c, s in daily],
        ),
        Table(
            "backlog",
            _("Open tickets by age (now)"),
            [_("Age"), _("Open tickets")],
            rows=[[label, n] for label, n in backlog],
            csv_rows=[[label, n] for label, n in backlog],
        ),
        Table(
            "times",
            _("Response and resolution times"),
            [_("Measure"), _("Tickets"), _("Median"), _("90th percentile")],
            rows=[
                [label, s.count, format_duration(s.median), format_duration(s.p90)]
                for label, s in (
                    (_("First response (tickets created in range)"), times["first_response"]),
                    (_("Resolution (tickets solved in range)"), times["resolution"]),
                    (_("First response, business time"), business["first_response"]),
                    (_("Resolution, business time"), business["resolution"]),
                )
            ],
            csv_headers=["measure", "tickets", "median_hours", "p90_hours"],
            csv_rows=[
                [key, s.count, hours(s.median), hours(s.p90)]
                for key, s in [
                    *times.items(),
                    *((f"{key}_business", s) for key, s in business.items()),
                ]
            ],
        ),
        Table(
            "sla",
            _("SLA achievement (clocks with an outcome in range)"),
            [_("Target"), _("Met"), _("Breached"), _("Achievement")],
            rows=[
                [SLA_LABELS[kind], s.met, s.breached, _pct(s.achievement)]
                for kind, s in sla.items()
            ],
            csv_headers=["target", "met", "breached", "achievement_percent"],
            csv_rows=[
                [kind, s.met, s.breached, _csv_pct(s.achievement)] for kind, s in sla.items()
            ],
        ),
        Table(
            "csat",
            _("Customer satisfaction (surveys sent in range)"),
            [_("Sent"), _("Answered"), _("Good"), _("Bad"), _("Score"), _("Response rate")],
            rows=[
                [
                    csat.sent,
                    csat.answered,
                    csat.good,
                    csat.bad,
                    _pct(csat.score),
                    _pct(csat.response_rate),
                ]
            ],
            csv_headers=[
                "sent",
                "answered",
                "good",
                "bad",
                "score_percent",
                "response_rate_percent",
            ],
            csv_rows=[
                [
                    csat.sent,
                    csat.answered,
                    csat.good,
                    csat.bad,
                    _csv_pct(csat.score),
                    _csv_pct(csat.response_rate),
                ]
            ],
            numeric_from=0,
        ),
        Table(
            "tags",
            _("Top tags (tickets created in range)"),
            [_("Tag"), _("Tickets")],
            rows=[list(t) for t in tags],
            csv_rows=[list(t) for t in tags],
        ),
        Table(
            "items",
            _("Top feedback items by new demand"),
            [_("Item"), _("New links"), _("Customers"), _("Organizations")],
            rows=[
                [i["item__title"], i["links"], i["customers"], i["organizations"]] for i in items
            ],
            csv_headers=["item_id", "item", "status", "new_links", "customers", "organizations"],
            csv_rows=[
                [
                    i["item_id"],
                    i["item__title"],
                    i["item__status"],
                    i["links"],
                    i["customers"],
                    i["organizations"],
                ]
                for i in items
            ],
        ),
        _group_table("agents", _("Per agent (assignee)"), _("Agent"), groups["assignee_id"]),
        _group_table("teams", _("Per team"), _("Team"), groups["team_id"]),
    ]
    chart_rows, per = _chart_buckets(daily)
    charts: dict[str, Chart] = {
        "daily": line_chart(
            title=_("Tickets created and solved per week")
            if per == "week"
            else _("Tickets created and solved per day"),
            labels=[date_format(d, "j M") for d, _, _ in chart_rows],
            series={
                _("Created"): [c for _, c, _ in chart_rows],
                _("Solved"): [s for _, _, s in chart_rows],
            },
        ),
        "backlog": bar_chart(
            title=_("Open tickets by age"),
            labels=[label for label, _ in backlog],
            values=[n for _, n in backlog],
            height=200,
        ),
    }
    summary = {
        "created": sum(c for _, c, _ in daily),
        "solved": sum(s for _, _, s in daily),
        "open": sum(n for _, n in backlog),
        "first_response": format_duration(times["first_response"].median),
        "sla": _pct(
            SlaStat(
                met=sum(s.met for s in sla.values()), breached=sum(s.breached for s in sla.values())
            ).achievement
        ),
        "resolution": format_duration(times["resolution"].median),
        "csat": _pct(csat.score),
        "response_rate": _pct(csat.response_rate),
    }
    return {
        "tables": {t.key: t for t in tables},
        "charts": charts,
        "summary": summary,
        "items": items,
        "chart_per": per,
    }


def cached_report(f: ReportFilter) -> dict:
    """The report for a filter, kept ``REPORTS_CACHE_SECONDS`` (a dashboard is read many times
    and its CSV buttons ask for the same numbers again)."""
    seconds = settings.REPORTS_CACHE_SECONDS
    if not seconds:
        return build_report(f)
    # v4: the key has the product, version and component, and the language (the charts'
    # tooltips and dates are words); v2 held Chart objects.
    key = f"reports:v4:{get_language()}:" + f.cache_key
    report = cache.get(key)
    if report is None:
        report = build_report(f)
        report["computed_at"] = clock.now()
        cache.set(key, report, seconds)
    return report


def _dashboard_context(request: HttpRequest, filters: Filters, shelf: Catalog) -> dict:
    return {
        "f": filters.report,
        "organization_name": filters.organization_name,
        "presets": PRESETS,
        "teams": Team.objects.all(),
        "agents": User.objects.filter(role__in=[Role.AGENT, Role.ADMIN], is_active=True)
        .order_by("name", "email")
        .only("name", "email"),
        "channels": Channel.choices,
        **product_choices(shelf, filters.report.product_id),
        "group_fields": field_groups.grouping_fields(),
        "group": request.GET.get("group", ""),
        "query": request.GET.urlencode(),
        "nav": "reports",
    }


@insights_required
def dashboard(request: HttpRequest) -> HttpResponse:
    shelf = catalog.get()
    try:
        filters = parse_filter(request, shelf=shelf)
    except FilterError as bad:
        # The form with the error and no numbers: a report for another filter would pass for
        # the one asked.
        context = _dashboard_context(request, bad.filters, shelf)
        context["errors"] = bad.errors
        return render(request, "reports/dashboard.html", context, status=400)
    report = cached_report(filters.report)
    context = _dashboard_context(request, filters, shelf)
    context.update(
        report=report,
        tables=report["tables"],
        charts=report["charts"],
        summary=report["summary"],
        **field_groups.context(request.GET.get("group", ""), filters.report),
    )
    return render(request, "reports/dashboard.html", context)


@insights_required
def product_parts(request: HttpRequest) -> HttpResponse:
    """The form's version and component lists for ``?product=`` (an htmx swap when the product
    changes): that product's, or every product's, grouped, when none or an unknown one is
    given."""
    raw = request.GET.get("product", "")
    product_id = int(raw) if raw.isdecimal() and len(raw) < 10 else None
    return render(
        request, "reports/_product_parts.html", product_choices(catalog.get(), product_id)
    )


@insights_required
def organizations(request: HttpRequest) -> HttpResponse:
    """The type-ahead's ``<option>``s: up to 20 organizations whose name contains the typed
    text, any case, those starting with it first, then by name."""
    typed = request.GET.get("organization_name", "").strip()
    found = (
        Organization.objects.filter(name__icontains=typed)
        .annotate(
            later=Case(
                When(name__istartswith=typed, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("later", "name")
        .only("name")[:ORGANIZATION_OPTIONS]
    )
    return render(request, "reports/_organization_options.html", {"organizations": found})


@insights_required
def export_csv(request: HttpRequest, table: str) -> HttpResponse:
    try:
        f = parse_filter(request).report
    except FilterError as bad:
        return HttpResponse(bad.message, status=400, content_type="text/plain; charset=utf-8")
    tables = cached_report(f)["tables"]
    if table not in tables:
        raise Http404("No such table.")
    t = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = datetime.now(tz=f.tz).strftime("%Y%m%d")  # noqa: DTZ005 - tz given
    response["Content-Disposition"] = (
        f'attachment; filename="switchboard-{table}-{f.start}-{f.end}-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(t.csv_headers or [h.lower() for h in t.headers])
    for row in t.csv_rows:
        writer.writerow([csv_safe(v) for v in row])
    return response


def csv_safe(value):
    # A cell starting with = + - @ runs as a formula in spreadsheets (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
