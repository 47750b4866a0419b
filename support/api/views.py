"""The mixin every API view class starts with (``tickets/api.py``, ``customers/api.py``, ...),
and the schema view."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import transaction
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions
from rest_framework.response import Response

from support.api.errors import PayloadTooLarge, exception_handler
from support.api.idempotency import (
    IDEMPOTENCY_HEADER,
    idempotency_claim,
    idempotency_release,
    idempotency_remember,
)
from support.api.schema import schema_reader_is_customer, schema_version


class ApiViewMixin:
    """Throttling before permissions (so anonymous and bad-token calls count against their IP),
    a whole-body size limit, ``Idempotency-Key`` on POST and rate-limit headers on every answer.
    """

    extra_query_params: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and IDEMPOTENCY_HEADER in request.headers:
            # The key, the write and the stored answer commit together or not at all: a crash
            # or a lost connection at any point leaves either nothing (the retry runs for
            # real) or the answer (the retry replays it) — never a write whose key still says
            # "in progress". A concurrent retry waits on the key's unique index meanwhile.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

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
        request._idempotency_record = idempotency_claim(request)

    def get_exception_handler(self):
        return exception_handler

    def handle_exception(self, exc):
        try:
            return super().handle_exception(exc)
        except Exception:
            # A crash: free the Idempotency-Key so the client's retry runs for real.
            record = getattr(self.request, "_idempotency_record", None)
            if record is not None:
                idempotency_release(record)
                self.request._idempotency_record = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "_rate_limit", {}).items():
            response[name] = value
        record = getattr(request, "_idempotency_record", None)
        if record is not None and not response.has_header("Idempotent-Replayed"):
            idempotency_remember(record, response)
            request._idempotency_record = None
        return response


class SchemaView(SpectacularAPIView):
    """``/api/schema/``, built once per process, per version of what admins define at run
    time (custom fields: ``support.api.schema.schema_runtime_object``): a field added, changed
    or archived anywhere bumps the version, and the next request builds it afresh — and per
    role: a customer's token gets request bodies with only what a customer may send
    (``schema_customer_request_bodies``); agents and anonymous readers get the agents'."""

    _built: dict[tuple, tuple[dict, str]] = {}
    _lock = threading.Lock()

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        version = schema_version()
        if version is None or request.GET.get("lang"):
            return super().get(request, *args, **kwargs)
        role = "customer" if schema_reader_is_customer(request) else "agent"
        key = (version, role, request.accepted_renderer.format)
        held = self._built.get(key)
        if held is None:
            response = super().get(request, *args, **kwargs)
            held = (response.data, response["Content-Disposition"])
            with self._lock:
                stale = [k for k in self._built if k[0] != version]
                for old in stale:
                    del self._built[old]
                self._built[key] = held
        return Response(data=held[0], headers={"Content-Disposition": held[1]})
