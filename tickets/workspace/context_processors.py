"""The workspace's side navigation for every agent page, not only the queue views.

Pages of other areas (SLA, mail, feedback, API tokens) extend ``agent/base.html`` too; this gives
them the same navigation. The counts are computed only if a template actually renders them.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def workspace_nav(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_agent:
        return {}
    from tickets.workspace.views import nav_context

    shared = SimpleLazyObject(lambda: nav_context(request))
    found = {
        key: SimpleLazyObject(lambda key=key: shared[key])
        for key in ("nav_builtins", "nav_saved", "availability_choices", "heartbeat_seconds")
    }
    if user.is_admin:
        # Admins see a count of open tickets without a team (the "Unrouted" list).
        from tickets.automation.views import unrouted_tickets

        found["nav_unrouted"] = SimpleLazyObject(lambda: unrouted_tickets().count())
    return found
