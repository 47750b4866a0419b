"""Administration in the app: users (invite, resend the invitation, deactivate, reactivate) and
teams (name, address, lead, members). Admins only; every write goes through a service
(``tickets.staff.services``, ``accounts.services``)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import admin_required
from accounts.models import Role, Team, User
from accounts.services import team_add_member, team_create, team_remove_member, team_update
from support.errors import DomainError, ValidationFailed
from tickets.staff import services
from tickets.workspace.views import nav_context

FIELDS = ("email", "name", "role")
USERS = _(
    "Users: invite agents and admins, give them their roles and teams, deactivate an account."
)
TEAMS = _("Teams: their members, lead and mail address.")


def _users() -> list[User]:
    return list(
        User.objects.exclude(role=Role.CUSTOMER)
        .prefetch_related("teams")
        .only("id", "email", "name", "role", "is_active", "last_login", "password")
        .order_by("-is_active", "name", "email")
    )


@admin_required(USERS)
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    values = {"email": "", "name": "", "role": Role.AGENT, "teams": []}
    errors: dict[str, str] = {}
    status = 200
    teams = list(Team.objects.order_by("name").only("id", "name"))
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        picked = {int(t) for t in request.POST.getlist("teams") if t.isdecimal()}
        values["teams"] = sorted(picked)
        try:
            user = services.staff_invite(
                email=values["email"],
                name=values["name"],
                role=values["role"],
                teams=[t for t in teams if t.pk in picked],
                by=request.user,
            )
        except DomainError as exc:
            errors[exc.field if exc.field in FIELDS else "form"] = exc.message
            status = 400
        else:
            messages.success(
                request,
                gettext("Invitation sent to %(email)s; they choose their password from it.")
                % {"email": user.email},
            )
            return redirect("staff:users")
    context = {
        "users": _users(),
        "teams": teams,
        "values": values,
        "errors": errors,
        "roles": [(Role.AGENT, "Agent"), (Role.ADMIN, "Admin")],
        "all_roles": [
            (Role.AGENT, "Agent"),
            (Role.ADMIN, "Admin"),
            (Role.PRODUCT_MANAGER, "Product manager"),
        ],
        **nav_context(request),
    }
    return render(request, "agent/staff_users.html", context, status=status)


@admin_required(USERS)
@require_POST
def user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    user = get_object_or_404(User.objects.exclude(role=Role.CUSTOMER), pk=user_id)
    try:
        if action == "invite":
            services.staff_send_invitation(user=user, by=request.user)
            messages.success(
                request,
                gettext("A new invitation is on its way to %(email)s.") % {"email": user.email},
            )
        elif action in ("deactivate", "reactivate"):
            services.staff_set_active(user=user, active=action == "reactivate", by=request.user)
            messages.success(
                request,
                (
                    gettext("%(display_name)s was reactivated.")
                    if action == "reactivate"
                    else gettext("%(display_name)s was deactivated.")
                )
                % {"display_name": user.display_name},
            )
        elif action == "role":
            services.staff_set_role(user=user, role=request.POST.get("role", ""), by=request.user)
            messages.success(
                request,
                gettext("%(display_name)s is now %(user)s.")
                % {"display_name": user.display_name, "user": user.get_role_display()},
            )
        elif action == "reset":
            services.staff_reset_sign_in(user=user, by=request.user)
            messages.success(
                request,
                gettext(
                    "%(display_name)s is signed out everywhere; a link to choose a new password is "
                    "on its way to %(email)s."
                )
                % {"display_name": user.display_name, "email": user.email},
            )
        else:
            messages.error(request, gettext("Choose what to do."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("staff:users")


# --- teams ------------------------------------------------------------------------------------

TEAM_FIELDS = ("name", "email", "lead")


@admin_required(TEAMS)
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    values = {"name": "", "email": ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in ("name", "email")}
        try:
            if not values["name"]:
                raise ValidationFailed(gettext("A team needs a name."), field="name")
            team = team_create(name=values["name"], email=values["email"])
        except DomainError as exc:
            errors[exc.field if exc.field in TEAM_FIELDS else "form"] = exc.message
            status = 400
        else:
            messages.success(
                request, gettext("Team %(name)s created; add its members.") % {"name": team.name}
            )
            return redirect("staff:team", team_id=team.pk)
    teams = list(
        Team.objects.annotate(member_count=Count("members")).select_related("lead").order_by("name")
    )
    context = {"teams": teams, "values": values, "errors": errors, **nav_context(request)}
    return render(request, "agent/staff_teams.html", context, status=status)


@admin_required(TEAMS)
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.select_related("lead"), pk=team_id)
    members = list(team.members.order_by("name", "email").only("id", "name", "email", "role"))
    values = {"name": team.name, "email": team.email, "lead": str(team.lead_id or "")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                values = {name: request.POST.get(name, "").strip() for name in TEAM_FIELDS}
                lead = next((m for m in members if str(m.pk) == values["lead"]), None)
                team_update(team=team, name=values["name"], email=values["email"], lead=lead)
                messages.success(request, gettext("Team saved."))
            elif action in ("add", "remove"):
                user = get_object_or_404(User, pk=request.POST.get("user") or 0)
                if action == "add":
                    team_add_member(team=team, user=user)
                    messages.success(
                        request,
                        gettext("%(display_name)s joined %(name)s.")
                        % {"display_name": user.display_name, "name": team.name},
                    )
                else:
                    team_remove_member(team=team, user=user)
                    messages.success(
                        request,
                        gettext("%(display_name)s left %(name)s.")
                        % {"display_name": user.display_name, "name": team.name},
                    )
        except DomainError as exc:
            team.refresh_from_db()
            errors[exc.field if exc.field in TEAM_FIELDS else "form"] = exc.message
            status = 400
        else:
            return redirect("staff:team", team_id=team.pk)
    others = list(
        User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.ADMIN])
        .exclude(pk__in=[m.pk for m in members])
        .order_by("name", "email")
        .only("id", "name", "email")
    )
    context = {
        "team": team,
        "members": members,
        "others": others,
        "values": values,
        "errors": errors,
        **nav_context(request),
    }
    return render(request, "agent/staff_team.html", context, status=status)
