"""Administration in the app: the users page (invite, resend the invitation, deactivate,
reactivate). Admins only; every write goes through ``tickets.staff.services``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import admin_required
from accounts.models import Role, Team, User
from support.errors import DomainError
from tickets.staff import services
from tickets.workspace.views import nav_context

FIELDS = ("email", "name", "role")


def _users() -> list[User]:
    return list(
        User.objects.exclude(role=Role.CUSTOMER)
        .prefetch_related("teams")
        .only("id", "email", "name", "role", "is_active", "last_login", "password")
        .order_by("-is_active", "name", "email")
    )


@admin_required
@require_http_methods(["GET", "POST"])
def user_list(request: HttpRequest) -> HttpResponse:
    values = {"email": "", "name": "", "role": Role.AGENT, "teams": []}
    errors: dict[str, str] = {}
    status = 200
    teams = list(Team.objects.order_by("name").only("id", "name"))
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        picked = {int(t) for t in request.POST.getlist("teams") if t.isdigit()}
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
                request, f"Invitation sent to {user.email}; they choose their password from it."
            )
            return redirect("staff:users")
    context = {
        "users": _users(),
        "teams": teams,
        "values": values,
        "errors": errors,
        "roles": [(Role.AGENT, "Agent"), (Role.ADMIN, "Admin")],
        **nav_context(request),
    }
    return render(request, "agent/staff_users.html", context, status=status)


@admin_required
@require_POST
def user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    user = get_object_or_404(User.objects.exclude(role=Role.CUSTOMER), pk=user_id)
    try:
        if action == "invite":
            services.staff_send_invitation(user=user, by=request.user)
            messages.success(request, f"A new invitation is on its way to {user.email}.")
        elif action in ("deactivate", "reactivate"):
            services.staff_set_active(user=user, active=action == "reactivate", by=request.user)
            messages.success(request, f"{user.display_name} was {action}d.")
        else:
            messages.error(request, "Choose what to do.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("staff:users")
