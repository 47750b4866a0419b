"""The admin page of auto-assignment: each team's mode and return time, each agent's capacity,
and who is online with how many open tickets."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import admin_required
from accounts.models import Team, User
from tickets.assignment.forms import AgentFormSet, TeamFormSet
from tickets.assignment.hooks import queue_waiting
from tickets.assignment.services import AGENT_ROLES, open_counts
from tickets.models import OPEN_STATUSES

PURPOSE = _(
    "Auto-assignment: how each team hands out its new tickets to the agents who are online."
)


def _teams():
    waiting = Q(tickets__assignee__isnull=True, tickets__status__in=OPEN_STATUSES)
    return Team.objects.annotate(waiting=Count("tickets", filter=waiting)).order_by("name")


def _agents():
    return (
        User.objects.filter(role__in=AGENT_ROLES, is_active=True)
        .prefetch_related("teams")
        .order_by("name", "pk")
    )


@admin_required(PURPOSE)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    saving = request.POST.get("save", "")
    teams = TeamFormSet(
        request.POST if saving == "teams" else None, queryset=_teams(), prefix="teams"
    )
    agents = AgentFormSet(
        request.POST if saving == "agents" else None, queryset=_agents(), prefix="agents"
    )
    bound = {"teams": teams, "agents": agents}.get(saving)
    if bound is not None and bound.is_valid():
        with transaction.atomic():
            bound.save()
            # A team switched on, or room added: hand out what waits, once this commits.
            transaction.on_commit(queue_waiting)
        messages.success(request, gettext("Saved."))
        return redirect("assignment:settings")
    counts = open_counts(form.instance.pk for form in agents.forms)
    for form in agents.forms:
        form.open_count = counts.get(form.instance.pk, 0)
    return render(
        request,
        "tickets/assignment/settings.html",
        {"teams": teams, "agents": agents, "nav_current": "assignment"},
        status=400 if bound is not None else 200,
    )
