"""``/api/``: the v1 resources, the OpenAPI schema and the interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from accounts.api import AgentViewSet, TeamViewSet
from customers.api import CustomerViewSet, OrganizationViewSet
from integrations.api import WebhookDeliveryViewSet, WebhookSubscriptionViewSet
from support.api import ID_REGEX, api_not_found
from tickets.api import AttachmentViewSet, TagViewSet, TicketMessageViewSet, TicketViewSet
from tickets.workspace.api import SavedViewViewSet

router = SimpleRouter(trailing_slash="")
router.register("tickets", TicketViewSet, basename="api-ticket")
router.register("attachments", AttachmentViewSet, basename="api-attachment")
router.register("customers", CustomerViewSet, basename="api-customer")
router.register("organizations", OrganizationViewSet, basename="api-organization")
router.register("teams", TeamViewSet, basename="api-team")
router.register("agents", AgentViewSet, basename="api-agent")
router.register("tags", TagViewSet, basename="api-tag")
router.register("views", SavedViewViewSet, basename="api-view")
router.register("webhooks", WebhookSubscriptionViewSet, basename="api-webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")

ticket_messages = TicketMessageViewSet.as_view({"get": "list", "post": "create"})

urlpatterns = [
    re_path(
        rf"^v1/tickets/(?P<ticket_id>{ID_REGEX})/messages$",
        ticket_messages,
        name="api-ticket-messages",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", api_not_found),
]
