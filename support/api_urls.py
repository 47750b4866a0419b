"""``/api/``: the v1 resources, the OpenAPI schema and the interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from accounts.api import AgentViewSet, TeamViewSet
from customers.api import CustomerViewSet, OrganizationViewSet
from customers.field_api import CustomerFieldViewSet, OrganizationFieldViewSet
from feedback.api import (
    CsatResponseViewSet,
    FeedbackItemViewSet,
    TicketCsatViewSet,
    TicketFeedbackLinkViewSet,
)
from integrations.api import WebhookDeliveryViewSet, WebhookSubscriptionViewSet
from kb.api import ArticleViewSet
from kb.taxonomy_api import CategoryViewSet, SectionViewSet
from products.api import ComponentViewSet, ProductViewSet, VersionViewSet
from support.api.errors import api_not_found
from support.api.schema import ID_REGEX
from support.api.views import SchemaView
from tickets.api import TagViewSet, TicketMessageViewSet, TicketViewSet
from tickets.attachments_api import AttachmentViewSet
from tickets.automation.api import AutomationViewSet, RoutingRuleViewSet, TriggerViewSet
from tickets.fields.api import TicketFormViewSet
from tickets.macros.api import MacroViewSet, TicketMacroApplyViewSet
from tickets.sla.api import SlaPolicyViewSet
from tickets.sla.calendar_api import BusinessCalendarViewSet
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
router.register("feedback-items", FeedbackItemViewSet, basename="api-feedback-item")
router.register("csat-responses", CsatResponseViewSet, basename="api-csat-response")
router.register("webhooks", WebhookSubscriptionViewSet, basename="api-webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")
router.register("sla-policies", SlaPolicyViewSet, basename="api-sla-policy")
router.register("business-calendars", BusinessCalendarViewSet, basename="api-business-calendar")
router.register("routing-rules", RoutingRuleViewSet, basename="api-routing-rule")
router.register("triggers", TriggerViewSet, basename="api-trigger")
router.register("automations", AutomationViewSet, basename="api-automation")
router.register("macros", MacroViewSet, basename="api-macro")
router.register("articles", ArticleViewSet, basename="api-article")
router.register("article-categories", CategoryViewSet, basename="api-article-category")
router.register("article-sections", SectionViewSet, basename="api-article-section")
router.register("products", ProductViewSet, basename="api-product")
router.register("product-versions", VersionViewSet, basename="api-product-version")
router.register("product-components", ComponentViewSet, basename="api-product-component")
router.register("ticket-forms", TicketFormViewSet, basename="api-ticket-form")
router.register("organization-fields", OrganizationFieldViewSet, basename="api-organization-field")
router.register("customer-fields", CustomerFieldViewSet, basename="api-customer-field")

ticket_messages = TicketMessageViewSet.as_view({"get": "list", "post": "create"})

ticket_feedback_links = TicketFeedbackLinkViewSet.as_view({"get": "list", "post": "create"})
ticket_feedback_link = TicketFeedbackLinkViewSet.as_view({"delete": "destroy"})
ticket_csat = TicketCsatViewSet.as_view({"get": "retrieve", "post": "answer"})

urlpatterns = [
    re_path(
        rf"^v1/tickets/(?P<ticket_id>{ID_REGEX})/feedback-links$",
        ticket_feedback_links,
        name="api-ticket-feedback-links",
    ),
    re_path(
        rf"^v1/tickets/(?P<ticket_id>{ID_REGEX})/feedback-links/(?P<link_id>{ID_REGEX})$",
        ticket_feedback_link,
        name="api-ticket-feedback-link",
    ),
    re_path(
        rf"^v1/tickets/(?P<ticket_id>{ID_REGEX})/macros/(?P<macro_id>{ID_REGEX})/apply$",
        TicketMacroApplyViewSet.as_view({"post": "apply"}),
        name="api-ticket-macro-apply",
    ),
    re_path(rf"^v1/tickets/(?P<ticket_id>{ID_REGEX})/csat$", ticket_csat, name="api-ticket-csat"),
    re_path(
        rf"^v1/tickets/(?P<ticket_id>{ID_REGEX})/messages$",
        ticket_messages,
        name="api-ticket-messages",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^[\s\S]*$", api_not_found),  # any path, line breaks included
]
