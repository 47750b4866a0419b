"""The knowledge report in the workspace (``/agent/kb/report/``) and its CSV exports."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from accounts.decorators import agent_required
from kb.models import Category, Language
from kb.report import KnowledgeReport, ReportFilter, knowledge_report
from tickets.workspace.views import nav_context

PERIODS = (7, 30, 90)
MAX_DAYS = 366


class BadFilter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "30") or "30"
    if not raw.isdecimal() or not 1 <= int(raw) <= MAX_DAYS:
        raise BadFilter("days", _("days is a whole number from 1 to %(max)s.") % {"max": MAX_DAYS})
    return int(raw)


def _date(request: HttpRequest, name: str, label: str) -> date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(
            name, _("%(label)s is a date like 2026-03-31.") % {"label": label}
        ) from None


def report_filter(request: HttpRequest) -> ReportFilter:
    """The report's filters from the query string: ``days`` (the last N days), or ``start`` and
    ``end`` (a date range; either alone reaches to today or back ``days``), ``language`` and
    ``category``. A bad value is a :class:`BadFilter` naming its field."""
    language = request.GET.get("language", "")
    if language and language not in Language.values:
        raise BadFilter("language", _("Choose one of the languages offered."))
    raw_category = request.GET.get("category", "")
    category_id = None
    if raw_category:
        if not raw_category.isdecimal() or not Category.objects.filter(pk=raw_category).exists():
            raise BadFilter("category", _("There is no such category."))
        category_id = int(raw_category)
    days = _days(request)
    start = _date(request, "start", pgettext("date range", "From"))
    end = _date(request, "end", pgettext("date range", "To"))
    if start is None and end is None:
        return ReportFilter.last_days(days, language=language, category_id=category_id)
    last = ReportFilter.last_days(days)
    end = end or last.end
    start = start or end - timedelta(days=days - 1)
    if start > end:
        raise BadFilter("start", _("From is after To."))
    if (end - start).days + 1 > MAX_DAYS:
        raise BadFilter("start", _("A range is at most %(max)s days.") % {"max": MAX_DAYS})
    return ReportFilter(start=start, end=end, language=language, category_id=category_id)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _draft_url(topic: str) -> str:
    return reverse("kb_agent:new") + "?" + urlencode({"title": topic[:200]})


@agent_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    error, status = None, 200
    try:
        only = report_filter(request)
    except BadFilter as exc:
        error, status = exc, 400
        only = ReportFilter.last_days(30)
    data = knowledge_report(only=only)
    gaps = [{"gap": gap, "draft_url": _draft_url(gap.topic)} for gap in data.gaps]
    ranged = bool(request.GET.get("start") or request.GET.get("end"))
    days = request.GET.get("days", "30")
    context = {
        "r": data,
        "only": only,
        "error": error,
        "values": {k: request.GET.get(k, "") for k in ("start", "end", "language", "category")},
        "days": int(days) if days.isdecimal() and not ranged else None,
        "csv_query": urlencode(
            {"start": only.start.isoformat(), "end": only.end.isoformat()}
            | ({"language": only.language} if only.language else {})
            | ({"category": only.category_id} if only.category_id is not None else {})
        ),
        "narrow_query": urlencode(
            {k: request.GET[k] for k in ("language", "category") if request.GET.get(k)}
        ),
        "languages": Language.choices,
        "categories": list(Category.objects.order_by("position", "name").values("id", "name")),
        "periods": PERIODS,
        "gaps": gaps,
        "helpful_ratio": _pct(data.helpful_ratio),
        "deflection_rate": _pct(data.deflection_rate),
        "empty_rate": _pct(data.empty_rate),
        **nav_context(request, current="kb"),
    }
    return render(request, "kb/agent/report.html", context, status=status)


def _tables(data: KnowledgeReport) -> dict[str, tuple[list[str], list[list]]]:
    return {
        "summary": (
            ["metric", "value"],
            [
                ["start", data.start.isoformat()],
                ["end", data.end.isoformat()],
                ["language", data.language],
                ["category", data.category],
                ["views", data.views],
                ["votes", data.votes],
                ["helpful_votes", data.helpful],
                ["request_forms_with_suggestions", data.sessions],
                ["suggestion_opened", data.opened],
                ["deflected_requests", data.deflected],
                [
                    "deflection_rate",
                    "" if data.deflection_rate is None else round(data.deflection_rate, 4),
                ],
                ["articles_sent_by_agents", data.sent],
                ["searches", data.searches],
                ["searches_without_result", data.empty_searches],
            ],
        ),
        "top-viewed": (
            ["article_id", "title", "language", "views"],
            [[r["article_id"], r["title"], r["language"], r["views"]] for r in data.top_viewed],
        ),
        "top-helpful": (
            ["article_id", "title", "language", "votes", "helpful"],
            [
                [r["article_id"], r["title"], r["language"], r["votes"], r["yes"]]
                for r in data.top_helpful
            ],
        ),
        "gaps": (
            ["kind", "topic", "count", "detail"],
            [[g.kind, g.topic, g.count, g.detail] for g in data.gaps],
        ),
    }


@agent_required
@require_GET
def report_csv(request: HttpRequest, table: str) -> HttpResponse:
    try:
        only = report_filter(request)
    except BadFilter as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    tables = _tables(knowledge_report(only=only))
    if table not in tables:
        raise Http404("No such table.")
    headers, rows = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"knowledge-{table}-{only.start.isoformat()}-{only.end.isoformat()}"
    name += f"-{only.language}" if only.language else ""
    name += f"-category{only.category_id}" if only.category_id is not None else ""
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        # A cell starting with = + - @ runs as a formula in spreadsheets (CSV injection).
        writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in "=+-@" and v else v for v in row]
        )
    return response
