"""The API's rate limit (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from support import ratelimit

WINDOW_SECONDS = 60


class ApiRateThrottle(BaseThrottle):
    """Fixed one-minute windows on the clock (``support.ratelimit``, aligned): per token, per
    signed-in user for session calls, per client address (``REMOTE_ADDR``) for anonymous ones.

    The counts go out as ``X-RateLimit-*`` headers on every answer (``ApiViewMixin``)."""

    def allow_request(self, request, view) -> bool:
        if request.auth is not None:  # an API token (session calls have none)
            ident, limit = f"token:{request.auth.pk}", settings.API_RATE_LIMIT_USER
        elif request.user and request.user.is_authenticated:
            ident, limit = f"user:{request.user.pk}", settings.API_RATE_LIMIT_USER
        else:
            ident, limit = f"ip:{ratelimit.client_ip(request)}", settings.API_RATE_LIMIT_ANON
        result = ratelimit.hit("api", ident, limit=limit, window=WINDOW_SECONDS, aligned=True)
        self._wait = result.retry_after
        request._rate_limit = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(result.remaining),
            "X-RateLimit-Reset": str(result.reset_at),
        }
        return result.allowed

    def wait(self) -> float:
        return self._wait
