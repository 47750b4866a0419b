"""Shared DRF glue for ``/api/v1/``: errors, permissions, strict filtering, cursor pagination,
rate limits, idempotency keys, body limits and the OpenAPI error component.

Every endpoint's view class mixes in :class:`ApiViewMixin`; the app modules (``tickets/api.py``,
``customers/api.py``, ...) hold only their resources.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter
from rest_framework import ISO_8601, exceptions, permissions, renderers, serializers
from rest_framework.fields import SkipField
from rest_framework.pagination import CursorPagination
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import ApiIdempotencyKey, ApiToken, User
from support import clock, ratelimit
from support.errors import DomainError

# --- errors ---------------------------------------------------------------------------------

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
    def __init__(self, record: ApiIdempotencyKey) -> None:
        self.record = record


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
        record = exc.record
        response = Response(json.loads(record.response_body or "null"), status=record.status_code)
        for name, value in record.response_headers.items():
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


def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Unknown paths under /api/ answer in the API's error shape, not an HTML page."""
    return JsonResponse(error_body(404, "No such endpoint."), status=404)


# --- OpenAPI parameters shared by the resources ------------------------------------------------

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description="The ETag you last read; the write is refused with 412 if it changed since.",
)
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    description="Retry-safe POST: the same key and body return the first response.",
)
TICKET_ID_PARAM = OpenApiParameter("ticket_id", int, location=OpenApiParameter.PATH)


# --- permissions ----------------------------------------------------------------------------


class ApiPermission(permissions.BasePermission):
    """Signed in (token or session), active, and a read-only token only reads."""

    message = "Authentication credentials were not provided."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token and token.read_only and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied("This token is read-only.")
        return True


class AgentsOnly(permissions.BasePermission):
    """Resources only agents (and admins) can see; customers get a 404, not a hint."""

    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and not request.user.is_agent:
            raise exceptions.NotFound()
        return True


# --- strict filtering -----------------------------------------------------------------------

PAGINATION_PARAMS = frozenset({"cursor", "page_size"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing every query parameter that isn't declared.

    An unknown parameter (a typo, or a probe such as ``requester__user__password__startswith``)
    is a 400 naming it, never silently ignored. Filters only apply to lists.
    """

    def filter_queryset(self, request, queryset, view):
        is_list = getattr(view, "action", None) == "list"
        allowed = set(getattr(view, "extra_query_params", ()))
        if is_list:
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            if getattr(view, "pagination_class", None) is not None:
                allowed |= PAGINATION_PARAMS
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise exceptions.ValidationError(
                {name: ["Unknown query parameter."] for name in unknown}
            )
        if not is_list:
            return queryset
        return super().filter_queryset(request, queryset, view)


# --- pagination -----------------------------------------------------------------------------


class StableCursorPagination(CursorPagination):
    """Cursor pagination whose order always ends in the primary key, so pages never skip or
    repeat rows that share a timestamp. Views name their orderings in ``ordering_choices``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        choices: dict[str, tuple[str, ...]] = getattr(view, "ordering_choices", {})
        value = request.query_params.get("ordering") or getattr(view, "default_ordering", "")
        if not choices:
            return ("-id",)
        if value not in choices:
            raise exceptions.ValidationError({"ordering": [f"{value!r} is not a valid ordering."]})
        return choices[value]

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            # A hand-edited cursor whose position isn't a value of the ordering field.
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc


# --- rate limits ----------------------------------------------------------------------------

WINDOW_SECONDS = 60


class ApiRateThrottle(BaseThrottle):
    """Fixed one-minute windows on the clock (``support.ratelimit``, aligned): per token, per
    signed-in user for session calls, per client address (``REMOTE_ADDR``) for anonymous ones."""

    def allow_request(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken):
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


# --- idempotency ----------------------------------------------------------------------------

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")
# A claimed key whose request never finished (the process died) is free again after this.
IDEMPOTENCY_ABANDONED_AFTER = timedelta(minutes=5)


def _request_digest(request) -> str:
    """A digest of what was asked: method, path and the parsed body (files by content)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    data = {}
    for key in sorted(request.data.keys()) if hasattr(request.data, "keys") else []:
        values = (
            request.data.getlist(key) if hasattr(request.data, "getlist") else [request.data[key]]
        )
        data[key] = [_value_digest(value) for value in values]
    if not hasattr(request.data, "keys"):
        data = {"_": request.data}
    digest.update(json.dumps(data, sort_keys=True, cls=JSONEncoder, default=str).encode())
    for key in sorted(request.FILES.keys()):
        for upload in request.FILES.getlist(key):
            digest.update(f"{key}:{_value_digest(upload)}".encode())
    return digest.hexdigest()


def _value_digest(value):
    if isinstance(value, UploadedFile):
        file_digest = hashlib.sha256()
        for chunk in value.chunks():
            file_digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{value.size}:{file_digest.hexdigest()}"
    return value


def _claim_idempotency_key(request) -> ApiIdempotencyKey | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method != "POST" or key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable() or not key.isascii():
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["Must be 1 to 255 characters."]})
    digest = _request_digest(request)
    ttl = timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    now = clock.now()
    expired = Q(created_at__lt=now - ttl) | Q(
        status_code__isnull=True, created_at__lt=now - IDEMPOTENCY_ABANDONED_AFTER
    )
    ApiIdempotencyKey.objects.filter(expired, user=request.user, key=key).delete()
    existing = ApiIdempotencyKey.objects.filter(user=request.user, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                return ApiIdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_digest=digest,
                )
        except IntegrityError:
            existing = ApiIdempotencyKey.objects.filter(user=request.user, key=key).first()
            if existing is None:
                raise Conflict("A request with this Idempotency-Key is in progress.") from None
    if existing.request_digest != digest:
        raise Conflict(
            "This Idempotency-Key was already used for a different request; "
            "use a new key for a new request."
        )
    if existing.status_code is None:
        raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly.")
    raise IdempotentReplay(existing)


def _store_idempotent_response(record: ApiIdempotencyKey, response) -> None:
    if response.status_code >= 500:
        record.delete()  # the server failed: let the client retry for real
        return
    record.status_code = response.status_code
    record.response_body = json.dumps(getattr(response, "data", None), cls=JSONEncoder)
    record.response_headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
    record.save(update_fields=["status_code", "response_body", "response_headers"])


# --- the view mixin -------------------------------------------------------------------------


class ApiViewMixin:
    """Throttling before permissions (so anonymous and bad-token calls count against their IP),
    a whole-body size limit, ``Idempotency-Key`` on POST and rate-limit headers on every answer.
    """

    extra_query_params: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        try:
            self.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)
            raise
        self.check_throttles(request)
        self.check_permissions(request)
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length_value = int(length)
        except ValueError:
            raise exceptions.ValidationError({"Content-Length": ["Not a number."]}) from None
        if length_value > settings.API_MAX_REQUEST_BYTES:
            raise PayloadTooLarge(
                f"The request body is {length_value} bytes; the limit is "
                f"{settings.API_MAX_REQUEST_BYTES} bytes."
            )
        request._idempotency_record = _claim_idempotency_key(request)

    def get_exception_handler(self):
        return exception_handler

    def handle_exception(self, exc):
        try:
            return super().handle_exception(exc)
        except Exception:
            # A crash: free the Idempotency-Key so the client's retry runs for real.
            record = getattr(self.request, "_idempotency_record", None)
            if record is not None:
                record.delete()
                self.request._idempotency_record = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "_rate_limit", {}).items():
            response[name] = value
        record = getattr(request, "_idempotency_record", None)
        if record is not None and not response.has_header("Idempotent-Replayed"):
            _store_idempotent_response(record, response)
            request._idempotency_record = None
        return response


# --- OpenAPI --------------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid"]},
                "message": {"type": "string", "examples": ["The request is invalid."]},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "current": {
                    "type": "object",
                    "description": "On 412: the resource as it is now.",
                },
            },
        }
    },
}

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input, unknown query parameter or field",
    "401": "Missing, unknown or revoked token",
    "403": "Not allowed (e.g. a read-only token writing)",
    "404": "Not found or not visible to you",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflict (invalid state change, Idempotency-Key reuse)",
    "412": "If-Match no longer matches",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Rate limit exceeded (see Retry-After)",
}


def schema_add_error_responses(result, generator, request, public):
    """Document the one error shape on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            codes = ["400", "401", "403", "404", "406", "429"]
            if method in ("post", "patch", "put", "delete"):
                codes += ["409", "413", "415"]
            if method == "patch":
                codes.append("412")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": _ERROR_DESCRIPTIONS[code], "content": ref}
                )
    return result


# --- serializers ----------------------------------------------------------------------------


class StrictInputSerializer(serializers.Serializer):
    """Input that names its fields: an unknown field, or one the caller's role may not set, is a
    400 naming it. ``customer_fields`` lists what a customer may send (``None``: everything)."""

    customer_fields: frozenset[str] | None = None

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            errors: dict[str, list[str]] = {}
            for name in sorted(set(data.keys()) - set(self.fields)):
                errors[name] = ["Unknown field."]
            request = self.context.get("request")
            user = getattr(request, "user", None)
            is_customer = user is not None and user.is_authenticated and not user.is_agent
            if self.customer_fields is not None and is_customer:
                for name in sorted(set(data.keys()) & set(self.fields) - self.customer_fields):
                    errors[name] = ["Customers can't set this field."]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)

    def create(self, validated_data):  # pragma: no cover - writes go through services
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


def parse_expand(request, choices: frozenset[str]) -> frozenset[str]:
    raw = request.query_params.get("expand", "")
    names = frozenset(name.strip() for name in raw.split(",") if name.strip())
    unknown = sorted(names - choices)
    if unknown:
        raise exceptions.ValidationError(
            {
                "expand": [
                    f"Can't expand {', '.join(unknown)}; choose from {', '.join(sorted(choices))}."
                ]
            }
        )
    return names


# Response fields that are present only sometimes (expanded objects, agent-only fields): the
# schema lists them as optional. Filled by the serializer modules.
SCHEMA_OPTIONAL: dict[str, set[str]] = {}


def schema_optional(component: str, *fields: str) -> None:
    SCHEMA_OPTIONAL.setdefault(component, set()).update(fields)


def schema_relax_optional_fields(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    for component, fields in SCHEMA_OPTIONAL.items():
        schema = schemas.get(component)
        if schema and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in fields]
    return result


# --- ids, binary downloads ------------------------------------------------------------------

# Ids beyond a 64-bit integer can't be stored; refuse them as bad input rather than let the
# database driver overflow.
MAX_ID = 2**63 - 1
ID_REGEX = r"[0-9]{1,18}"


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """``?status=open,pending``: one or more choices, comma-separated."""


def noop_filter(queryset, name, value):
    """For ``ordering``: declared on the FilterSet to be validated and documented; the paginator
    applies it (see :class:`StableCursorPagination`)."""
    return queryset


def ordering_filter(choices) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        choices=[(c, c) for c in choices],
        method=noop_filter,
        help_text="Sort order; a leading '-' is descending.",
    )


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class BinaryRenderer(renderers.BaseRenderer):
    """Lets a download answer any ``Accept``; its errors are still the JSON error shape."""

    media_type = "*/*"
    format = "bin"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, cls=JSONEncoder).encode()


def serializing_for(context) -> User | None:
    """The user a response is being shaped for; ``None`` while the schema is generated (show
    every field there, marked optional where it depends on the reader)."""
    request = context.get("request")
    if request is None or getattr(context.get("view"), "swagger_fake_view", False):
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- fast read-only representations ----------------------------------------------------------

_FAST_KINDS = {
    serializers.CharField: "str",
    serializers.EmailField: "str",
    serializers.IntegerField: "int",
    serializers.BooleanField: "bool",
    serializers.ChoiceField: "choice",
    serializers.DateTimeField: "datetime",
}


def _fast_kind(field) -> str | None:
    """How a field's value can be turned into JSON without DRF's per-field calls, or ``None``
    to leave the field to DRF (methods, nested serializers, custom formats, dotted sources)."""
    kind = _FAST_KINDS.get(type(field))
    if kind is None or field.source == "*" or len(field.source_attrs) != 1:
        return None
    if kind == "datetime" and (
        hasattr(field, "timezone")
        or getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601
    ):
        return None
    return kind


class FastReadMixin:
    """``to_representation`` of a model serializer with DRF's result, at a fraction of the calls.

    DRF reads every field through ``get_attribute`` and ``to_representation`` (a time-zone lookup
    per date): for a 50-ticket page with embedded requester and organization that is ~2,500 field
    reads and the larger part of the endpoint's time (docs/benchmarks.md). Plain fields (text,
    numbers, booleans, choices, ISO 8601 dates read straight off an object or a dict's key) are
    converted here exactly as DRF's field classes do; every other field goes through DRF.
    ``tests/support/test_fast_read.py`` compares the two on every serializer that uses this.
    """

    @cached_property
    def _read_plan(self) -> list[tuple[str, str, str | None, serializers.Field]]:
        return [
            (field.field_name, field.source_attrs[0] if field.source_attrs else "", kind, field)
            for field in self._readable_fields
            for kind in (_fast_kind(field),)
        ]

    def to_representation(self, instance) -> dict:
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        ret = {}
        mapping = isinstance(instance, Mapping)
        for name, attr, kind, field in self._read_plan:
            if kind is None or (mapping and attr not in instance):
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[name] = None if check is None else field.to_representation(attribute)
                continue
            value = instance[attr] if mapping else getattr(instance, attr)
            if value is None:
                ret[name] = None
            elif kind == "str":
                ret[name] = str(value)
            elif kind == "int":
                ret[name] = int(value)
            elif kind == "choice":
                ret[name] = (
                    value if value == "" else field.choice_strings_to_values.get(str(value), value)
                )
            elif kind == "datetime" and zone is not None and timezone.is_aware(value):
                text = value.astimezone(zone).isoformat()
                ret[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
            elif kind == "bool" and isinstance(value, bool):
                ret[name] = value
            else:
                ret[name] = field.to_representation(value)
        return ret
