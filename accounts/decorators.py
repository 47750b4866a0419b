"""Page guards by role. Anonymous visitors go to sign in; the wrong role gets a 404 page, except
that an agent on an administration page is told what the page is for and who can let them in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role, User

# How many admins the refusal names: enough to find one, never a directory of them.
ADMINS_NAMED = 5


def _role_required(check: Callable) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(user):
                raise Http404("No such page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agent_required = _role_required(lambda user: user.is_active and user.is_agent)
# Feedback and reports: product managers read them without being agents.
insights_required = _role_required(
    lambda user: user.is_active and (user.is_agent or user.is_product_manager)
)


def admin_required(purpose: str) -> Callable:
    """An administration page, for admins. ``purpose`` says in a sentence what the page is for.

    Signed out: to sign in. An agent without the Admin role: a 403 page saying what the page is
    for and which admins can give them the role. Anyone else (a customer, a product manager):
    404, as on every other workspace page, so the workspace is not advertised to them.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (user.is_active and user.is_agent):
                raise Http404("No such page.")
            if not user.is_admin:
                return admin_refusal(request, purpose=purpose)
            return view(request, *args, **kwargs)

        wrapped.admin_purpose = purpose  # type: ignore[attr-defined]
        return wrapped

    return decorator


def admin_refusal(request: HttpRequest, *, purpose: str) -> HttpResponse:
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .order_by("name", "email")
        .only("name", "email")[:ADMINS_NAMED]
    )
    return render(
        request,
        "accounts/admin_required.html",
        {"purpose": purpose, "admins": admins},
        status=403,
    )
