"""Who may call: every endpoint's default permission, and the agents-only one.

``request.auth`` is the caller's API token when the call carries one (set by
``accounts.authentication.BearerTokenAuthentication``; ``None`` for the pages' session calls).
"""

from __future__ import annotations

from rest_framework import exceptions, permissions


class ApiPermission(permissions.BasePermission):
    """Signed in (token or session), active, and a read-only token only reads."""

    message = "Authentication credentials were not provided."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        read_only_token = getattr(request.auth, "read_only", False)
        if read_only_token and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied("This token is read-only.")
        return True


class AgentsOnly(permissions.BasePermission):
    """Resources only agents (and admins) can see; customers get a 404, not a hint."""

    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and not request.user.is_agent:
            raise exceptions.NotFound()
        return True
