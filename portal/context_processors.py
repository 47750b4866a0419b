from django.conf import settings


def branding(request):
    """The portal's name and logo, from settings (the colour comes from ``portal:brand-css``)."""
    return {
        "PORTAL_SITE_NAME": settings.PORTAL_SITE_NAME,
        "PORTAL_LOGO_URL": settings.PORTAL_LOGO_URL,
    }
