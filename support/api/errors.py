"""The API's one error shape, ``{"error": {"code", "message", "fields"}}``, and the exception
handler that gives every failure that shape and its status (``EXCEPTION_HANDLER``).

Domain errors (``support.errors.DomainError``) map to the same statuses as on the pages.
"""

from __future__ import annotations

import json
import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import csrf as csrf_views
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

from support.errors import DomainError

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = "The request body is too large."


class Conflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class PreconditionFailed(exceptions.APIException):
    """``If-Match`` no longer matches; carries the current representation."""

    status_code = 412
    default_code = "precondition_failed"
    default_detail = "The resource changed since you read it; here is the current version."

    def __init__(self, *, current: dict, etag: str) -> None:
        super().__init__()
        self.current = current
        self.etag = etag


class IdempotentReplay(Exception):  # noqa: N818 - not an error: a stored answer
    """A retried POST whose first answer is stored (``support.api.idempotency``): answer it
    again, as it was."""

    def __init__(self, *, status_code: int, body: str, headers: dict[str, str]) -> None:
        self.status_code = status_code
        self.body = body
        self.headers = headers


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF error detail (nested dicts/lists) as ``{"field.sub": ["message", ...]}``."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub, messages in _flatten(value, name).items():
                fields.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                for sub, messages in _flatten(value, f"{prefix}.{index}").items():
                    fields.setdefault(sub, []).extend(messages)
            else:
                fields.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        fields.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return fields


def error_body(status_code: int, message: str, fields: dict | None = None, code: str = "") -> dict:
    return {
        "error": {
            "code": code or CODES.get(status_code, "error"),
            "message": message,
            "fields": fields or {},
        }
    }


def exception_handler(exc, context):
    """Every API error as ``{"error": {"code", "message", "fields"}}`` with its status."""
    if isinstance(exc, IdempotentReplay):
        response = Response(json.loads(exc.body or "null"), status=exc.status_code)
        for name, value in exc.headers.items():
            response[name] = value
        response["Idempotent-Replayed"] = "true"
        return response
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else {}
        return Response(error_body(exc.status_code, exc.message, fields, exc.code), exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ValidationError("The request has too many fields.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    # Imported here: DRF imports this module while it sets up rest_framework.views.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)  # keeps Retry-After, WWW-Authenticate
    if response is None:
        return None  # a bug: let it be a 500 and be reported
    code = CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.values()), ["The request is invalid."])[0]
        message = f"The request is invalid: {first}" if fields else "The request is invalid."
        body = error_body(400, message, fields, code)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        message = str(detail) if not isinstance(detail, dict | list) else "Request failed."
        body = error_body(response.status_code, message, {}, code)
        if isinstance(exc, exceptions.Throttled):
            body["error"]["message"] = (
                f"Too many requests; try again in {math.ceil(exc.wait or 1)} seconds."
            )
        if isinstance(exc, PreconditionFailed):
            body["error"]["current"] = exc.current
            response["ETag"] = exc.etag
    response.data = body
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/") or request.path_info == "/api"


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error shape, not an HTML page, whatever the
    method (exempt from CSRF: a POST to a wrong path is a 404, not Django's CSRF page). A path
    that only differs by its trailing slash says which one exists."""
    path = request.path_info
    message = "No such endpoint."
    if path.endswith("/") and path.rstrip("/") and _resolves(path.rstrip("/")):
        message = f"No such endpoint: API paths have no trailing slash; use {path.rstrip('/')}."
    elif not path.endswith("/") and _resolves(path + "/"):
        message = f"No such endpoint: use {path}/ (with a trailing slash)."
    return JsonResponse(error_body(404, message), status=404)


def _resolves(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.func is not api_not_found


def api_csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: JSON under /api/ (a session-authenticated write without the
    token), Django's page elsewhere."""
    if is_api(request):
        return JsonResponse(
            error_body(
                403,
                "CSRF check failed: send the X-CSRFToken header with a session, or use a "
                "Bearer token.",
                code="forbidden",
            ),
            status=403,
        )
    return csrf_views.csrf_failure(request, reason=reason)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body(
            500, "Something went wrong on our side; it has been logged.", code="server_error"
        ),
        status=500,
    )
