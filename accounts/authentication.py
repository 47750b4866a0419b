"""DRF authentication: ``Authorization: Bearer <token>`` with a personal API token."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import throttle
from accounts.tokens import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be 'Bearer <token>'."
            )
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("The token contains invalid characters.") from exc
        ip = throttle.client_ip(request._request if hasattr(request, "_request") else request)
        if throttle.token_failures_blocked(ip=ip):
            raise exceptions.Throttled(
                wait=throttle.TOKEN_WINDOW_SECONDS,
                detail="Too many requests with unknown tokens from this address.",
            )
        token = api_token_authenticate(raw)
        if token is None:
            throttle.token_failed(ip=ip)
            raise exceptions.AuthenticationFailed("The token is unknown or revoked.")
        request.api_token = token
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (create one under Account → API tokens, or "
            "with `manage.py create_api_token EMAIL`).",
        }
