"""``Idempotency-Key`` on POST: a retry with the same key and body gets the first answer again.

This module reads the header and digests the request; the keys are stored per user by the store
named in ``settings.API_IDEMPOTENCY_STORE`` (``accounts.idempotency``, beside the users they
belong to), a module with ``claim``, ``remember`` and ``release``. ``ApiViewMixin`` claims the key
before the view runs, remembers the answer after it, and releases the key when the view crashes.
"""

from __future__ import annotations

import hashlib
import json
from importlib import import_module
from types import ModuleType

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from rest_framework import exceptions
from rest_framework.utils.encoders import JSONEncoder

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def _store() -> ModuleType:
    return import_module(settings.API_IDEMPOTENCY_STORE)


def idempotency_claim(request):
    """The stored key this POST claimed (to remember its answer in), or ``None`` without a key.

    The store raises ``support.api.errors.IdempotentReplay`` when the key already holds an
    answer to the same request, and ``Conflict`` when it was used for another request or its
    first request is still running."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if request.method != "POST" or key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isprintable() or not key.isascii():
        raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["Must be 1 to 255 characters."]})
    return _store().claim(
        user=request.user,
        key=key,
        method=request.method,
        path=request.path,
        digest=_request_digest(request),
    )


def idempotency_remember(record, response) -> None:
    """Store ``response`` as the answer to the claimed key; a server error frees the key instead
    (the client's retry then runs for real)."""
    if response.status_code >= 500:
        idempotency_release(record)
        return
    _store().remember(
        record,
        status_code=response.status_code,
        body=json.dumps(getattr(response, "data", None), cls=JSONEncoder),
        headers={h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)},
    )


def idempotency_release(record) -> None:
    _store().release(record)


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
