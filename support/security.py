"""Response hardening in one middleware: a Content-Security-Policy on every response, the other
security headers Django's own ``SecurityMiddleware`` does not set, and display safety for HTML
pages (``support.text``).

The policy allows scripts, styles, fonts, frames and fetches from this site only: no inline
script, no ``eval`` (htmx runs with ``allowEval`` off, see ``templates/base.html``), no inline
style. The rare inline block that must stay (a ``<noscript>`` style, the API docs' page style)
carries the request's nonce: ``{{ request.csp_nonce }}``. Images may also come from
``data:``/``blob:`` (previews of files being attached) and from the attachment store's origin when
attachments are on S3 (a download redirects there). Violations are reported to
``/csp-report`` and logged as warnings (``support.security``).

docs/security.md lists every header and why.
"""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from support.text import display_safe_bytes

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
REPORT_MAX_BYTES = 16 * 1024


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def image_sources() -> list[str]:
    sources = ["'self'", "data:", "blob:"]
    storage = settings.STORAGES["default"].get("OPTIONS", {})
    endpoint = storage.get("endpoint_url") or ""
    if endpoint:
        sources.append(_origin(endpoint))
    elif "bucket_name" in storage:  # AWS itself: virtual-hosted and path-style addresses
        sources.append("https://*.amazonaws.com")
    sources.extend(settings.CSP_EXTRA_IMG_SRC)
    return sources


def content_security_policy(nonce: str) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'", f"'nonce-{nonce}'"],
        "img-src": image_sources(),
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request.csp_nonce))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not response.streaming:
            response.content = display_safe_bytes(response.content)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post what the policy blocked here; it is logged, never stored."""
    body = request.read(REPORT_MAX_BYTES)
    try:
        report = json.loads(body or b"{}")
    except ValueError:
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    detail = report.get("csp-report", report)
    logger.warning(
        "Content-Security-Policy violation: %s blocked on %s",
        str(detail.get("blocked-uri", "?"))[:200] if isinstance(detail, dict) else "?",
        str(detail.get("document-uri", "?"))[:200] if isinstance(detail, dict) else "?",
    )
    return HttpResponse(status=204)
