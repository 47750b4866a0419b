"""Settings page for canned responses."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required
from accounts.models import Team
from support.errors import DomainError, NotFound
from tickets.workspace import canned
from tickets.workspace.views import nav_context


def _teams_for(user) -> list[Team]:
    teams = Team.objects.all() if user.is_admin else Team.objects.filter(lead=user)
    return list(teams.only("id", "name"))


@agent_required
def canned_list(request: HttpRequest) -> HttpResponse:
    items = list(canned.canned_visible_to(request.user))
    editing = None
    if request.GET.get("edit", "").isdecimal():
        editing = next((c for c in items if c.pk == int(request.GET["edit"])), None)
    form = {"title": "", "shortcut": "", "body": "", "team": ""}
    if editing:
        form = {
            "title": editing.title,
            "shortcut": editing.shortcut,
            "body": editing.body,
            "team": str(editing.team_id or ""),
        }
    return _page(request, items=items, editing=editing, form=form)


def _page(request, *, items, editing, form, error="", status=200) -> HttpResponse:
    for item in items:
        item.may_manage = canned._may_manage(request.user, item)
    context = {
        "items": items,
        "editing": editing,
        "form": form,
        "error": error,
        "share_teams": _teams_for(request.user),
        "placeholders": canned.PLACEHOLDERS,
        **nav_context(request, current="canned"),
    }
    return render(request, "agent/canned.html", context, status=status)


@agent_required
@require_POST
def canned_save_view(request: HttpRequest) -> HttpResponse:
    data = request.POST
    items = list(canned.canned_visible_to(request.user))
    editing = None
    if data.get("id", "").isdecimal():
        editing = next((c for c in items if c.pk == int(data["id"])), None)
        if editing is None:
            raise NotFound(_("No such canned response."))
    team_id = data.get("team", "")
    team = Team.objects.filter(pk=int(team_id)).first() if team_id.isdecimal() else None
    try:
        saved = canned.canned_save(
            agent=request.user,
            title=data.get("title", ""),
            shortcut=data.get("shortcut", ""),
            body=data.get("body", ""),
            team=team,
            canned=editing,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        form = {k: data.get(k, "") for k in ("title", "shortcut", "body", "team")}
        return _page(
            request, items=items, editing=editing, form=form, error=exc.message, status=400
        )
    messages.success(
        request,
        _("Saved “%(title)s” (type ;%(shortcut)s in a reply).")
        % {"title": saved.title, "shortcut": saved.shortcut},
    )
    return redirect("workspace:canned_list")


@agent_required
@require_POST
def canned_delete_view(request: HttpRequest, canned_id: int) -> HttpResponse:
    item = canned.canned_visible_to(request.user).filter(pk=canned_id).first()
    if item is None:
        raise NotFound(_("No such canned response."))
    canned.canned_delete(agent=request.user, canned=item)
    messages.success(request, _("Deleted “%(title)s”.") % {"title": item.title})
    return redirect("workspace:canned_list")
