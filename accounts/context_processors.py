from django.conf import settings

from accounts.branding import brand


def branding(request):
    """The brand for every page: its name (over ``SITE_NAME``), logo, and the stylesheet's
    version (``brand.css?v=…`` is fetched again after a change)."""
    b = brand()
    return {
        "SITE_NAME": b.site_name,
        "PORTAL_SITE_NAME": b.portal_site_name,
        "PORTAL_LOGO_URL": b.logo_url or settings.PORTAL_LOGO_URL,
        "BRAND": b,
    }
