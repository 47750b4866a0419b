"""SLA pages: admins edit calendars and policies (with a due-time preview); agents see the
at-risk / breached list; a small fragment keeps a ticket's clock badge live."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required, agent_required
from support import clock
from support.errors import DomainError
from tickets.models import OPEN_STATUSES as OPEN
from tickets.selectors import ticket_get_for_agent, tickets_visible_to
from tickets.sla import services
from tickets.sla.business_time import CalendarError
from tickets.sla.forms import CalendarForm, PolicyForm
from tickets.sla.models import BusinessCalendar, SlaPolicy, TargetKind, TicketSla
from tickets.sla.selectors import (
    sla_clock_for,
    tickets_sla_at_risk,
    tickets_sla_breached,
    tickets_with_sla_clock,
)

PURPOSE = _(
    "SLA policies and business calendars: the response and resolution targets tickets are "
    "measured against."
)


@admin_required(PURPOSE)
def overview(request: HttpRequest) -> HttpResponse:
    calendars = BusinessCalendar.objects.annotate(holiday_count=Count("holidays"))
    # Open tickets a trigger or automation pinned to each policy (``ticket_sla_pinned_idx``).
    pinned = (
        TicketSla.objects.filter(policy=OuterRef("pk"), pinned=True, ticket__status__in=OPEN)
        .order_by()
        .values("policy")
        .annotate(n=Count("*"))
        .values("n")
    )
    policies = (
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related("organizations", "tags")
        .annotate(pinned_open=Coalesce(Subquery(pinned), 0))
    )
    return render(
        request,
        "tickets/sla/overview.html",
        {"calendars": calendars, "policies": policies, "nav": "sla-settings"},
    )


@admin_required(PURPOSE)
def calendar_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk) if pk else BusinessCalendar()
    form = CalendarForm(request.POST or None, instance=calendar)
    if request.method == "POST" and form.is_valid():
        try:
            calendar = services.calendar_save(calendar=form.save(commit=False))
            services.calendar_set_holidays(
                calendar=calendar, holidays=form.cleaned_data["holidays_text"]
            )
            country = form.cleaned_data["seed_country"].strip()
            if country and country.upper() != calendar.holiday_country:
                year = clock.now().year
                added = services.calendar_seed_holidays(
                    calendar=calendar, country=country, years=[year, year + 1]
                )
                messages.success(
                    request,
                    gettext("Added %(added)s public holidays of %(country)s.")
                    % {"added": added, "country": country.upper()},
                )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("Saved calendar “%(name)s”.") % {"name": calendar.name}
            )
            return redirect("sla:calendar_edit", pk=calendar.pk)
    return render(
        request,
        "tickets/sla/calendar_form.html",
        {
            "form": form,
            "calendar": calendar,
            "time_zones": sorted(zoneinfo.available_timezones()),
            "upcoming": calendar.holidays.filter(date__gte=clock.now().date())[:8]
            if calendar.pk
            else [],
            "nav": "sla-settings",
        },
    )


@admin_required(PURPOSE)
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk) if pk else SlaPolicy()
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_save(
                policy=form.save(commit=False),
                organizations=form.cleaned_data["organizations"],
                notify=form.cleaned_data["notify"],
                tags=form.tag_list(),
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Saved policy “%(name)s”.") % {"name": policy.name})
            return redirect("sla:policy_edit", pk=policy.pk)
    return render(
        request,
        "tickets/sla/policy_form.html",
        {
            "form": form,
            "policy": policy,
            "preview": _preview(request, policy) if policy.pk else None,
            "nav": "sla-settings",
        },
    )


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect, also for an htmx request (which follows ``HX-Redirect``)."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@admin_required(PURPOSE)
@require_POST
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    try:
        services.calendar_delete(calendar=calendar)
    except DomainError as exc:
        messages.error(request, str(exc))
        return _go(request, reverse("sla:calendar_edit", args=[pk]))
    messages.success(request, gettext("Deleted calendar “%(name)s”.") % {"name": calendar.name})
    return _go(request, reverse("sla:overview"))


@admin_required(PURPOSE)
@require_POST
def policy_delete(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk)
    services.policy_delete(policy=policy)
    messages.success(request, gettext("Deleted policy “%(name)s”.") % {"name": policy.name})
    return _go(request, reverse("sla:overview"))


@admin_required(PURPOSE)
@require_POST
def policy_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the preview for the form as it is being edited (nothing is saved)."""
    form = PolicyForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    policy = SlaPolicy(
        calendar=data.get("calendar"),
        first_response_minutes=data.get("first_response_minutes"),
        next_reply_minutes=data.get("next_reply_minutes"),
        resolution_minutes=data.get("resolution_minutes"),
        warning_percent=data.get("warning_percent") or 75,
    )
    preview = _preview(request, policy) if policy.calendar_id else None
    return render(request, "tickets/sla/_preview.html", {"preview": preview})


def _preview(request: HttpRequest, policy: SlaPolicy) -> dict | None:
    now = clock.now()
    try:
        due = services.preview_due(policy=policy, at=now)
    except (CalendarError, ValueError):
        return None
    cal_tz = zoneinfo.ZoneInfo(policy.calendar.time_zone)
    try:
        my_tz = zoneinfo.ZoneInfo(request.user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        my_tz = cal_tz
    rows = [
        {
            "label": TargetKind(kind).label,
            "warn": warn.astimezone(cal_tz),
            "due": due_at.astimezone(cal_tz),
            "due_mine": due_at.astimezone(my_tz),
        }
        for kind, (warn, due_at) in due.items()
    ]
    return {
        "now": now.astimezone(cal_tz),
        "rows": rows,
        "calendar": policy.calendar,
        "my_tz": str(my_tz),
        "same_tz": str(my_tz) == str(cal_tz),
    }


@agent_required
def at_risk(request: HttpRequest) -> HttpResponse:
    """At-risk tickets first (still savable: the clock is past its warning point, not yet due),
    soonest due first; then the breached ones, most recently breached first, so the long-lost
    ones sink to the bottom instead of hiding the ones an agent can still save."""
    now = clock.now()
    visible = (
        tickets_with_sla_clock(tickets_visible_to(request.user).open())
        .select_related("assignee", "team", "requester")
        .annotate(sla_policy_name=F("sla__policy_name"), sla_pinned=F("sla__pinned"))
    )
    breached = tickets_sla_breached(visible, now=now)
    risky = tickets_sla_at_risk(visible, now=now).exclude(pk__in=breached.values("pk"))

    def rows(tickets):
        found = [(t, sla_clock_for(t, now=now)) for t in tickets[:200]]
        return [r for r in found if r[1] is not None]

    return render(
        request,
        "tickets/sla/at_risk.html",
        {
            "at_risk": rows(risky.order_by(F("sla_due_at").asc(nulls_last=True), "pk")),
            "breached": rows(breached.order_by(F("sla_due_at").desc(nulls_last=True), "pk")),
            "nav": "sla-at-risk",
        },
    )


@agent_required
def clock_fragment(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    ticket = tickets_with_sla_clock(type(ticket).objects.filter(pk=ticket.pk)).get()
    return render(
        request,
        "tickets/sla/_clock.html",
        {"ticket": ticket, "clock": sla_clock_for(ticket), "live": True},
    )
