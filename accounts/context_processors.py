from django.conf import settings
from django.utils.functional import SimpleLazyObject, lazy

from accounts.branding import brand


def _site_name() -> str:
    return brand().site_name


def _portal_site_name() -> str:
    return brand().portal_site_name


def _portal_logo_url() -> str:
    return brand().logo_url or settings.PORTAL_LOGO_URL


def branding(request):
    """The brand for every page: its name (over ``SITE_NAME``), logo, and the stylesheet's
    version (``brand.css?v=…`` is fetched again after a change). Lazy: an htmx fragment that
    shows none of it doesn't read it."""
    return {
        "SITE_NAME": lazy(_site_name, str)(),
        "PORTAL_SITE_NAME": lazy(_portal_site_name, str)(),
        "PORTAL_LOGO_URL": lazy(_portal_logo_url, str)(),
        "BRAND": SimpleLazyObject(brand),
    }
