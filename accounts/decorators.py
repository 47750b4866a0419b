"""Page guards by role. Anonymous visitors go to sign in; the wrong role gets a 404 page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse


def _role_required(check: Callable, *, refuse: type[Exception] = Http404) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(user):
                raise refuse("No such page." if refuse is Http404 else "Admins only.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agent_required = _role_required(lambda user: user.is_active and user.is_agent)
admin_required = _role_required(lambda user: user.is_active and user.is_admin)
# Feedback and reports: product managers read them without being agents.
insights_required = _role_required(
    lambda user: user.is_active and (user.is_agent or user.is_product_manager)
)
# Settings pages (webhooks, branding, mail templates): the wrong role is told it may not (403).
admin_only = _role_required(lambda user: user.is_active and user.is_admin, refuse=PermissionDenied)
