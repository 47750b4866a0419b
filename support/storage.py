"""Where attachments are stored, from ``STORAGE_URL``.

- unset: local disk under ``MEDIA_ROOT`` (one host; the embedded default).
- ``file:///srv/switchboard/media``: local disk at that path (a shared volume).
- ``s3://BUCKET?endpoint=https://s3.example.net&region=eu-central-1&prefix=attachments``:
  S3-compatible object storage through django-storages (AWS S3, MinIO, Ceph, R2, …), so any
  number of web and worker hosts see the same files. Credentials come from the environment
  (``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, or the host's role), never from the URL.
  Objects are private; downloads get short-lived signed URLs (``expires`` seconds, default 300).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

FILESYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


def storage_from_url(url: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry that ``url`` describes."""
    if not url:
        return {"BACKEND": FILESYSTEM}
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("STORAGE_URL file:// needs a path, e.g. file:///srv/media")
        return {"BACKEND": FILESYSTEM, "OPTIONS": {"location": parts.path}}
    if parts.scheme == "s3":
        if parts.username or parts.password:
            raise ImproperlyConfigured(
                "STORAGE_URL must not carry credentials; set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY in the environment instead."
            )
        bucket = parts.hostname
        if not bucket:
            raise ImproperlyConfigured("STORAGE_URL s3:// needs a bucket: s3://BUCKET?endpoint=…")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        options: dict[str, Any] = {
            "bucket_name": bucket,
            "location": query.get("prefix", parts.path.strip("/")),
            "default_acl": None,  # private objects; the bucket's policy decides
            "querystring_auth": True,  # downloads through signed, expiring URLs
            "querystring_expire": int(query.get("expires", 300)),
            "file_overwrite": False,
        }
        if "endpoint" in query:
            options["endpoint_url"] = query["endpoint"]
        if "region" in query:
            options["region_name"] = query["region"]
        if "addressing" in query:  # "path" for MinIO and most self-hosted servers
            options["addressing_style"] = query["addressing"]
        if "custom_domain" in query:
            options["custom_domain"] = query["custom_domain"]
        return {"BACKEND": S3, "OPTIONS": options}
    raise ImproperlyConfigured(
        f"STORAGE_URL scheme {parts.scheme!r} is not supported: use s3://… or file://…"
    )
