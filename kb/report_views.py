"""The knowledge report in the workspace (``/agent/kb/report/``) and its CSV exports."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.decorators import agent_required
from kb.report import KnowledgeReport, knowledge_report
from tickets.workspace.views import nav_context

PERIODS = (7, 30, 90)


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= 366:
        raise ValueError
    return int(raw)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _draft_url(topic: str) -> str:
    return reverse("kb_agent:new") + "?" + urlencode({"title": topic[:200]})


@agent_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    try:
        days = _days(request)
    except ValueError:
        return HttpResponse("days is a whole number from 1 to 366.", status=400)
    data = knowledge_report(days=days)
    gaps = [{"gap": gap, "draft_url": _draft_url(gap.topic)} for gap in data.gaps]
    context = {
        "r": data,
        "days": days,
        "periods": PERIODS,
        "gaps": gaps,
        "helpful_ratio": _pct(data.helpful_ratio),
        "deflection_rate": _pct(data.deflection_rate),
        "empty_rate": _pct(data.empty_rate),
        **nav_context(request, current="kb"),
    }
    return render(request, "kb/agent/report.html", context)


def _tables(data: KnowledgeReport) -> dict[str, tuple[list[str], list[list]]]:
    return {
        "summary": (
            ["metric", "value"],
            [
                ["start", data.start.isoformat()],
                ["end", data.end.isoformat()],
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
        days = _days(request)
    except ValueError:
        return HttpResponse("days is a whole number from 1 to 366.", status=400)
    tables = _tables(knowledge_report(days=days))
    if table not in tables:
        raise Http404("No such table.")
    headers, rows = tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="knowledge-{table}-{days}d.csv"'
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        # A cell starting with = + - @ runs as a formula in spreadsheets (CSV injection).
        writer.writerow(
            ["'" + v if isinstance(v, str) and v[:1] in "=+-@" and v else v for v in row]
        )
    return response
