from django.contrib import admin
from django.urls import include, path

from accounts import branding_views
from accounts.views import home
from support.health import healthz, readyz
from support.js_catalog import js_catalog
from support.metrics import metrics
from support.security import csp_report
from support.status_views import status_page

urlpatterns = [
    path("", home, name="home"),
    path("", include("support.auth_views")),
    path("agent/settings/assignment/", include("tickets.assignment.urls")),
    path("agent/macros/", include("tickets.macros.urls")),
    path("agent/settings/fields/", include("tickets.fields.urls")),
    path("agent/kb/", include("kb.agent_urls")),
    path("agent/people/", include("tickets.people.urls")),
    path("agent/admin/", include("tickets.staff.urls")),
    path("agent/", include("tickets.workspace.urls")),
    path("brand.css", branding_views.stylesheet, name="brand_css"),
    path("brand/logo", branding_views.logo, name="brand_logo"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("csp-report", csp_report, name="csp_report"),
    path("jsi18n/<str:language>.js", js_catalog, name="js_catalog"),
    path("metrics", metrics, name="metrics"),
    path("status/", status_page, name="status"),
    path("admin/", admin.site.urls),
    path("", include("tickets.mail.urls")),
    path("sla/", include("tickets.sla.urls")),
    path("automation/", include("tickets.automation.urls")),
    path("api/", include("support.api_urls")),
    path("account/api-tokens/", include("accounts.token_views")),
    path("portal/", include("portal.urls")),
    path("help/", include("kb.urls")),
    path("feedback/", include("feedback.urls")),
    path("products/", include("products.urls")),
    path("reports/", include("reports.urls")),
    path("integrations/", include("integrations.urls")),
]


def handler500(request):
    """A bug outside a view (in a middleware) under /api/ is JSON too; elsewhere Django's page."""
    from django.views.defaults import server_error

    from support.api.errors import api_server_error, is_api

    return api_server_error(request) if is_api(request) else server_error(request)
