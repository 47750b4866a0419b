"""Every page of the site, who may open it, and a small data set that shows each page in every
state its badges can take. The accessibility and navigation tests walk this map.

``PAGES`` names each page by its URL pattern (``route``) with the concrete URLs to visit and the
roles that open it; ``NOT_PAGES`` lists every other URL pattern with the reason it is not a page
(a POST endpoint, an htmx fragment, a file, a redirect). ``test_every_url_pattern_is_mapped``
fails when a new URL pattern is in neither, so a new page can't slip past the checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support.site_data import (  # noqa: F401 - the walk's tests import them from here
    ADMIN,
    AGENT,
    CUSTOMER,
    EMAILS,
    PASSWORD,
    PM,
    ROLES,
    VISITOR,
    Site,
    build_site,
)

AGENTS = {ADMIN, AGENT}
INSIGHTS = {ADMIN, AGENT, PM}


# --- the map ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    route: str  # the URL pattern's name, with its namespace
    urls: object  # Site -> list of URLs
    roles: frozenset[str]
    # Others are not checked for refusal: the page is open to anyone, or to others depending on
    # the object (an agent opens the original mail of a ticket they can see).
    public: bool = False


def _page(route, urls, roles, *, public=False) -> Page:
    return Page(route, urls, frozenset(roles), public)


def _public_article():
    from kb.models import Article

    return Article.objects.public().select_related("section__category").order_by("pk").first()


# --- people, CCs and forwarding (issue 18) ---
def _forward_pages(site: Site) -> list[str]:
    from tickets.models import Message, MessageKind

    ticket_id = site.tickets["sla_warning"]
    message = Message.objects.filter(ticket_id=ticket_id, kind=MessageKind.REPLY).first()
    return [reverse("workspace:message_forward", args=[ticket_id, message.pk])]


def _customer_pages(site: Site) -> list[str]:
    from customers.models import Customer, Organization

    customer = Customer.objects.get(email="jordan@example.net")
    organization = Organization.objects.get(name="Example Corp")
    return [
        reverse("people:customer", args=[customer.pk]),
        reverse("people:organization", args=[organization.pk]),
    ]


def _first_team() -> int:
    from accounts.models import Team

    return Team.objects.order_by("pk").values_list("pk", flat=True).first()


# --- end people ---


def _queues(site: Site) -> list[str]:
    from tickets.workspace.queues import BUILTIN_VIEWS

    return [reverse("workspace:queue", args=[v.slug]) for v in BUILTIN_VIEWS]


PAGES: list[Page] = [
    # Signing in (a signed-in person is sent on to their landing page).
    _page("login", lambda s: [reverse("login")], {VISITOR}, public=True),
    _page("password_reset", lambda s: [reverse("password_reset")], {VISITOR}, public=True),
    _page(
        "password_reset_done", lambda s: [reverse("password_reset_done")], {VISITOR}, public=True
    ),
    _page(
        "password_reset_confirm",
        lambda s: [reverse("password_reset_confirm", args=["MQ", "expired-token"])],
        {VISITOR},
        public=True,
    ),
    _page(
        "password_reset_complete",
        lambda s: [reverse("password_reset_complete")],
        {VISITOR},
        public=True,
    ),
    # The agent workspace.
    _page("workspace:queue", _queues, AGENTS),
    _page(
        "workspace:saved_view",
        lambda s: [reverse("workspace:saved_view", args=[s.saved_view])],
        {AGENT},
    ),
    _page(
        "workspace:search",
        lambda s: [reverse("workspace:search"), reverse("workspace:search") + "?q=export"],
        AGENTS,
    ),
    _page("workspace:new_ticket", lambda s: [reverse("workspace:new_ticket")], AGENTS),
    _page(
        "workspace:ticket",
        lambda s: [
            reverse("workspace:ticket", args=[pk]) for pk in dict.fromkeys(s.tickets.values())
        ],
        AGENTS,
    ),
    _page(
        "workspace:ticket_merge",
        lambda s: [
            reverse("workspace:ticket_merge", args=[s.tickets["sla_warning"]]),
            reverse("workspace:ticket_merge", args=[s.tickets["sla_warning"]])
            + f"?into={s.tickets['sla_breached']}",
        ],
        AGENTS,
    ),
    # --- people, CCs and forwarding (issue 18) ---
    _page("workspace:message_forward", _forward_pages, AGENTS),
    _page("people:customer", lambda s: _customer_pages(s)[:1], AGENTS),
    _page("people:organization", lambda s: _customer_pages(s)[1:], AGENTS),
    _page(
        "people:customer_merge",
        lambda s: [_customer_pages(s)[0] + "merge/?q=example"],
        AGENTS,
    ),
    _page("staff:users", lambda s: [reverse("staff:users")], {ADMIN}),
    _page("staff:teams", lambda s: [reverse("staff:teams")], {ADMIN}),
    _page("staff:team", lambda s: [reverse("staff:team", args=[_first_team()])], {ADMIN}),
    # --- end people ---
    _page("workspace:canned_list", lambda s: [reverse("workspace:canned_list")], AGENTS),
    _page("workspace:language", lambda s: [reverse("workspace:language")], AGENTS),
    _page("macros:list", lambda s: [reverse("macros:list")], AGENTS),
    _page("kb_agent:list", lambda s: [reverse("kb_agent:list")], AGENTS),
    _page("kb_agent:new", lambda s: [reverse("kb_agent:new")], AGENTS),
    _page("kb_agent:report", lambda s: [reverse("kb_agent:report")], AGENTS),
    _page(
        "kb_agent:edit", lambda s: [reverse("kb_agent:edit", args=[_public_article().pk])], AGENTS
    ),
    _page(
        "kb_agent:history",
        lambda s: [reverse("kb_agent:history", args=[_public_article().pk])],
        AGENTS,
    ),
    _page("sla:at_risk", lambda s: [reverse("sla:at_risk")], AGENTS),
    _page(
        "feedback:ticket_links",
        lambda s: [reverse("feedback:ticket_links", args=[s.tickets["solved"]])],
        AGENTS,
    ),
    # Administration.
    _page("assignment:settings", lambda s: [reverse("assignment:settings")], {ADMIN}),
    _page("sla:overview", lambda s: [reverse("sla:overview")], {ADMIN}),
    _page("sla:calendar_new", lambda s: [reverse("sla:calendar_new")], {ADMIN}),
    _page(
        "sla:calendar_edit", lambda s: [reverse("sla:calendar_edit", args=[s.calendar])], {ADMIN}
    ),
    _page("sla:policy_new", lambda s: [reverse("sla:policy_new")], {ADMIN}),
    _page("sla:policy_edit", lambda s: [reverse("sla:policy_edit", args=[s.policy])], {ADMIN}),
    _page("automation:overview", lambda s: [reverse("automation:overview")], {ADMIN}),
    _page(
        "automation:new",
        lambda s: [reverse("automation:new", args=[k]) for k in ("routing", "triggers")],
        {ADMIN},
    ),
    _page(
        "automation:edit",
        lambda s: [
            reverse("automation:edit", args=["routing", s.routing_rule]),
            reverse("automation:edit", args=["triggers", s.trigger]),
        ],
        {ADMIN},
    ),
    _page("webhooks", lambda s: [reverse("webhooks")], {ADMIN}),
    _page("webhook_detail", lambda s: [reverse("webhook_detail", args=[s.webhook])], {ADMIN}),
    _page("webhook_new", lambda s: [reverse("webhook_new")], {ADMIN}),
    _page("staff:branding", lambda s: [reverse("staff:branding")], {ADMIN}),
    _page("staff:mail_templates", lambda s: [reverse("staff:mail_templates")], {ADMIN}),
    _page(
        "staff:mail_template",
        lambda s: [reverse("staff:mail_template", args=["reply", "de"])],
        {ADMIN},
    ),
    _page("webhook_edit", lambda s: [reverse("webhook_edit", args=[s.webhook])], {ADMIN}),
    _page(
        "mail:inbound_list",
        lambda s: (
            [reverse("mail:inbound_list")]
            + [
                reverse("mail:inbound_list") + f"?status={v}"
                for v in ("failed", "ignored", "review")
            ]
        ),
        {ADMIN},
    ),
    # Hardening: the admins' system status page.
    _page("status", lambda s: [reverse("status")], {ADMIN}),
    _page(
        "mail:inbound_original",
        lambda s: [reverse("mail:inbound_original", args=[pk]) for pk in s.inbound],
        {ADMIN},
        public=True,
    ),
    # Feedback and reports: agents and product managers.
    _page("feedback:item_list", lambda s: [reverse("feedback:item_list")], INSIGHTS),
    _page("feedback:item_create", lambda s: [reverse("feedback:item_create")], INSIGHTS),
    _page(
        "feedback:item_detail",
        lambda s: [reverse("feedback:item_detail", args=[pk]) for pk in s.feedback_items],
        INSIGHTS,
    ),
    _page("reports:dashboard", lambda s: [reverse("reports:dashboard")], INSIGHTS),
    _page("reports:product", lambda s: [reverse("reports:product", args=[s.product])], INSIGHTS),
    # Custom ticket fields (issue 17): admins.
    _page("fields:list", lambda s: [reverse("fields:list")], {ADMIN}),
    _page("fields:new", lambda s: [reverse("fields:new")], {ADMIN}),
    _page("fields:edit", lambda s: [reverse("fields:edit", args=[s.ticket_field])], {ADMIN}),
    _page("fields:form_list", lambda s: [reverse("fields:form_list")], {ADMIN}),
    # Organization and customer fields (issue 17): admins.
    _page("fields:profile_list", lambda s: [reverse("fields:profile_list")], {ADMIN}),
    _page("fields:profile_new", lambda s: [reverse("fields:profile_new")], {ADMIN}),
    _page(
        "fields:profile_edit",
        lambda s: [reverse("fields:profile_edit", args=[s.profile_field])],
        {ADMIN},
    ),
    _page("fields:form_new", lambda s: [reverse("fields:form_new")], {ADMIN}),
    _page(
        "fields:form_edit", lambda s: [reverse("fields:form_edit", args=[s.ticket_form])], {ADMIN}
    ),
    # The product catalog (issue 17): everyone with insights reads it, admins and PMs keep it.
    _page("products:list", lambda s: [reverse("products:list")], INSIGHTS),
    _page("products:new", lambda s: [reverse("products:new")], {ADMIN, PM}),
    _page("products:edit", lambda s: [reverse("products:edit", args=[s.product])], {ADMIN, PM}),
    _page(
        "products:version_new",
        lambda s: [reverse("products:version_new", args=[s.product])],
        {ADMIN, PM},
    ),
    _page(
        "products:version_edit",
        lambda s: [reverse("products:version_edit", args=[s.product, s.version])],
        {ADMIN, PM},
    ),
    _page(
        "products:component_new",
        lambda s: [reverse("products:component_new", args=[s.product])],
        {ADMIN, PM},
    ),
    _page(
        "products:component_edit",
        lambda s: [reverse("products:component_edit", args=[s.product, s.component])],
        {ADMIN, PM},
    ),
    # Everyone signed in.
    _page("api_tokens", lambda s: [reverse("api_tokens")], {ADMIN, AGENT, PM, CUSTOMER}),
    # The customer portal.
    _page("portal:home", lambda s: [reverse("portal:home")], {CUSTOMER}),
    _page("portal:account", lambda s: [reverse("portal:account")], {CUSTOMER}),
    _page("portal:new", lambda s: [reverse("portal:new")], {CUSTOMER, VISITOR}),
    _page(
        "portal:ticket",
        lambda s: [reverse("portal:ticket", args=[pk]) for pk in s.portal_tickets],
        {CUSTOMER},
    ),
    _page(
        "portal:ticket-submitted",
        lambda s: [reverse("portal:ticket-submitted", args=[s.portal_tickets[0]])],
        {CUSTOMER},
    ),
    _page(
        "feedback:csat_portal",
        lambda s: [reverse("feedback:csat_portal", args=[s.portal_solved])],
        {CUSTOMER},
    ),
    _page("portal:sign-in", lambda s: [reverse("portal:sign-in")], {VISITOR}, public=True),
    _page(
        "portal:sign-in-confirm",
        lambda s: [reverse("portal:sign-in-confirm", args=["a-link-from-a-mail"])],
        {VISITOR},
        public=True,
    ),
    _page(
        "portal:submit-confirm",
        lambda s: [reverse("portal:submit-confirm", args=["a-link-from-a-mail"])],
        {VISITOR},
        public=True,
    ),
    # The help center: open to everyone (a public help center, the default).
    _page("kb:home", lambda s: [reverse("kb:home")], {CUSTOMER, VISITOR}, public=True),
    _page(
        "kb:search",
        lambda s: [reverse("kb:search") + "?q=export", reverse("kb:search") + "?q=zzzz"],
        {CUSTOMER, VISITOR},
        public=True,
    ),
    _page(
        "kb:category",
        lambda s: [reverse("kb:category", args=[_public_article().section.category.slug])],
        {CUSTOMER, VISITOR},
        public=True,
    ),
    _page(
        "kb:article",
        lambda s: [
            reverse("kb:article", args=[_public_article().language, _public_article().slug])
        ],
        {CUSTOMER, VISITOR},
        public=True,
    ),
    # CSAT from the mail: a valid link, and an expired or broken one (410).
    _page(
        "feedback:csat_answer",
        lambda s: [urlsplit(s.csat_link).path],
        {VISITOR},
        public=True,
    ),
]
# Pages answered "not found" on purpose, checked like any page.
EXTRA_PAGES = [
    # A forged CSAT link, and a page that doesn't exist, as people see them.
    ("/feedback/csat/not-a-signed-link/", {VISITOR}),
    ("/no-such-page/", {VISITOR, AGENT, CUSTOMER}),
]

NOT_FOUND_PAGES = {url: 404 for url, _ in EXTRA_PAGES}

NOT_PAGES: dict[str, str] = {
    "staff:user_action": "POST",  # (issue 18: invite again, deactivate, reactivate)
    "kb:suggest": "htmx fragment (suggestions beside the request form)",
    "kb:vote": "POST",
    "mail:confirm": "POST (an agent confirms their unverified reply from mail)",
    "kb:sitemap": "XML for search engines (tests/kb/test_views.py)",
    "kb_agent:preview": "htmx fragment (Markdown preview)",
    "kb_agent:lookup": "htmx fragment (the composer's article search)",
    "kb_agent:sent": "htmx fragment (articles sent on a ticket)",
    "kb_agent:status": "POST",
    "kb_agent:restore": "POST",
    "people:customer_language": "POST (an agent sets a contact's language, issue 16)",
    "home": "redirects to the person's landing page",
    "logout": "POST",
    "workspace:home": "redirects to the agent's first queue",
    "workspace:nav": "htmx fragment (queue counts)",
    "workspace:saved_view_create": "POST",
    "workspace:saved_view_delete": "POST",
    "workspace:availability": "POST",
    "workspace:availability_heartbeat": "POST (an open workspace page says the agent is there)",
    "workspace:bulk": "POST",
    "workspace:new_ticket_requesters": "htmx fragment (type-ahead)",
    "people:organization_options": "htmx fragment (type-ahead of the queue's organization filter)",
    "workspace:ticket_edit": "POST",
    "workspace:ticket_send": "POST",
    "workspace:ticket_timeline": "htmx fragment",
    "workspace:ticket_presence": "htmx fragment",
    "workspace:attachment": "a file",
    "workspace:canned_save": "POST",
    "workspace:canned_delete": "POST",
    "macros:save": "POST",
    "macros:picker": "JSON",
    "macros:copy": "POST",
    "macros:delete": "POST",
    "macros:preview": "JSON",
    "healthz": "plain-text probe",
    "csp_report": "POST (browsers report Content-Security-Policy violations)",
    "js_catalog": "a script: the workspace JavaScript's words (tests/support/test_js_catalog.py)",
    "readyz": "plain-text probe",
    "mail:inbound_endpoint": "POST endpoint for raw MIME",
    "mail:inbound_retry": "POST",
    "mail:inbound_accept": "POST (an admin accepts mail held for a failed sender check)",
    "metrics": "Prometheus text for scrapers (tests/support/test_operations.py)",
    "mail:ticket_delivery": "htmx fragment (on the ticket page)",
    "mail:outbound_resend": "POST",
    "mail:reviewed": "POST",
    "mail:attachment": "a file",
    "sla:calendar_delete": "POST",
    "sla:policy_delete": "POST",
    "sla:policy_preview": "htmx fragment",
    "sla:clock": "htmx fragment",
    "automation:test": "htmx fragment",
    "automation:action": "POST",
    "api_token_revoke": "POST",
    "portal:brand-css": "a stylesheet",
    "portal:sign-out": "POST",
    "portal:reply": "POST",
    "portal:solve": "POST",
    "portal:reopen": "POST",
    "portal:attachment": "a file",
    # --- knowledge base+ (languages, reports, article files) ---
    "portal:language": "POST (the language switcher)",
    "kb_agent:report_csv": "CSV (tests/kb/test_report.py)",
    "kb:file": "a file (tests/kb/test_files.py)",
    "kb_agent:file_upload": "POST",
    "kb_agent:file_delete": "POST",
    "feedback:item_edit": "POST",
    "feedback:item_status": "POST",
    "feedback:item_notify": "POST",
    "feedback:item_merge": "POST",
    "feedback:ticket_links_search": "htmx fragment",
    "feedback:ticket_link_add": "POST",
    "feedback:ticket_link_new_item": "POST",
    "feedback:ticket_link_remove": "POST",
    "reports:export": "CSV",
    "reports:organizations": "htmx fragment (organization type-ahead)",
    "reports:product-parts": "htmx fragment (the report filter's version and component lists)",
    "webhook_enable": "POST",
    "webhook_resend": "POST",
    "webhook_action": "POST (issue 18: test event, disable, new secret)",
    "brand_css": "a stylesheet (issue 18: branding)",
    "brand_logo": "an image (issue 18: branding)",
    "staff:mail_template_preview": "htmx fragment (issue 18: a mail template's live preview)",
    # The product catalog (issue 17).
    "products:delete": "POST",
    "products:version_delete": "POST",
    "products:component_delete": "POST",
    "products:options": "htmx fragment (a product's version and component lists)",
    "portal:product-parts": "htmx fragment (the request form's version and component lists)",
    "portal:form-fields": "htmx fragment (the request form's fields of the ticket form chosen)",
    "workspace:new_ticket_form_fields": "htmx fragment (the New ticket page's form fields)",
    "workspace:queue_export": "CSV download (a queue's tickets)",
    "workspace:saved_view_export": "CSV download (a saved view's tickets)",
    "workspace:ticket_field_edit": "POST",
    "fields:delete": "POST",
    "fields:form_delete": "POST",
    "fields:profile_delete": "POST",
    "people:customer_field": "POST (htmx: one customer field set in place, issue 17)",
    "people:organization_field": "POST (htmx: one organization field set in place, issue 17)",
}
# Django's own admin (a repair tool for superusers) and the REST API are not pages of the app.
OUTSIDE = ("admin/", "api/")


def url_patterns() -> list[tuple[str, str]]:
    """(route, name with namespace) of every URL pattern but the admin's and the API's."""

    def walk(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
                yield prefix + str(p.pattern), name

    return [(r, n) for r, n in walk(get_resolver().url_patterns) if not r.startswith(OUTSIDE)]


def pages_for(role: str, site: Site) -> list[str]:
    """Every URL ``role`` opens, in map order."""
    urls = [url for page in PAGES if role in page.roles for url in page.urls(site)]
    return urls + [url for url, roles in EXTRA_PAGES if role in roles]


def admin_only_urls(site: Site) -> list[str]:
    """The administration pages: only admins open them (``accounts.decorators.admin_required``)."""
    return [url for page in PAGES if page.roles == {ADMIN} for url in page.urls(site)]


def refused_for(role: str, site: Site) -> list[str]:
    """URLs of private pages ``role`` must not open."""
    return [
        url
        for page in PAGES
        if role not in page.roles and not page.public
        for url in page.urls(site)
    ]
