"""The brand's stylesheet and logo, public (the sign-in page and the portal show them)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.branding import SiteBranding, brand, brand_css


@require_GET
@cache_control(max_age=300, public=True)
def stylesheet(request: HttpRequest) -> HttpResponse:
    return HttpResponse(brand_css(brand()), content_type="text/css")


@require_GET
@cache_control(max_age=3600, public=True)
def logo(request: HttpRequest) -> HttpResponse:
    row = SiteBranding.objects.filter(pk=1).only("logo", "logo_content_type").first()
    if row is None or not row.logo:
        raise Http404("No logo.")
    with row.logo.open("rb") as stored:
        data = stored.read()
    response = HttpResponse(data, content_type=row.logo_content_type or "image/png")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
