"""The agent's pages about people: a customer's profile (details, notes, their tickets, merge
another contact into them) and an organization's (details, domains, members, tickets).

Writes go through ``customers.services`` (details) and ``tickets.services.customer_merge``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import agent_required
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.models import Organization
from support.errors import DomainError, NotFound, ValidationFailed
from support.i18n import language_for
from tickets import services
from tickets.people import selectors
from tickets.people.field_views import section_context
from tickets.workspace import panels
from tickets.workspace.views import nav_context


def _fields(request: HttpRequest, names: tuple[str, ...]) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in names}


# The organization field's suggestions (a type-ahead list; any existing name is accepted).
ORG_CHOICES = 200
CUSTOMER_FIELDS = ("name", "email", "phone", "organization", "notes", "is_org_manager")
ORGANIZATION_FIELDS = ("name", "notes", "domains")


def language_choices() -> list[tuple[str, str]]:
    """The profile's language menu: each language we translate, or the browser's choice."""
    return [(customer_services.FROM_BROWSER, "From the browser"), *settings.LANGUAGES]


def _language_context(customer) -> dict:
    names = dict(language_choices())
    changes = customer_selectors.customer_locale_changes(customer, limit=3)
    for change in changes:
        change.new_name = names.get(change.data.get("new", ""), change.data.get("new", ""))
    return {
        "language_choices": language_choices(),
        "customer_language": language_for(customer.locale) if customer.locale else "",
        "default_language_name": names[settings.LANGUAGE_CODE],
        "language_changes": changes,
    }


def _organization_named(name: str) -> Organization | None:
    name = name.strip()
    if not name:
        return None
    found = Organization.objects.filter(name__iexact=name).first()
    if found is None:
        raise ValidationFailed(
            _("There is no organization called %(name)s; pick one from the list.")
            % {"name": repr(name)},
            field="organization",
        )
    return found


@agent_required
@require_http_methods(["GET", "POST"])
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get_for_agent(agent=request.user, customer_id=customer_id)
    errors: dict[str, str] = {}
    status = 200
    values = {
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "organization": customer.organization.name if customer.organization_id else "",
        "notes": customer.notes,
        "is_org_manager": "1" if customer.is_org_manager else "",
    }
    if request.method == "POST":
        values = _fields(request, CUSTOMER_FIELDS)
        try:
            customer_services.customer_update(
                customer=customer,
                by=request.user,
                name=values["name"],
                email=values["email"],
                phone=values["phone"],
                organization=_organization_named(values["organization"]),
                is_org_manager=values["is_org_manager"] == "1",
                notes=values["notes"],
            )
        except DomainError as exc:
            customer.refresh_from_db()
            errors[exc.field if exc.field in CUSTOMER_FIELDS else "form"] = exc.message
            status = 400
        else:
            messages.success(request, _("Contact saved."))
            return redirect("people:customer", customer_id=customer.pk)
    page = selectors.tickets_page(
        agent=request.user,
        cursor=request.GET.get("cursor"),
        before=request.GET.get("before"),
        requester=customer,
    )
    context = {
        "customer": customer,
        "values": values,
        "errors": errors,
        "page": page,
        "merged_from": list(customer.merged_from.only("id", "email", "name")[:20]),
        **_language_context(customer),
        "side_panels": panels.panels_for_profile(agent=request.user, customer=customer),
        **section_context(customer),
        "organizations": list(
            Organization.objects.order_by("name").values_list("name", flat=True)[:200]
        ),
        **nav_context(request),
    }
    return render(request, "agent/customer.html", context, status=status)


@agent_required
@require_POST
def customer_language(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Set the language the contact reads the portal and our mail in (recorded as an event)."""
    customer = selectors.customer_get_for_agent(agent=request.user, customer_id=customer_id)
    wanted = request.POST.get("locale", "")
    names = dict(language_choices())
    if wanted not in names:
        messages.error(request, _("Choose one of the languages offered."))
    else:
        before = customer.locale
        customer_services.customer_set_locale(customer=customer, locale=wanted, by=request.user)
        if customer.locale == before:
            messages.info(
                request, _("The language was already %(names)s.") % {"names": names[wanted]}
            )
        else:
            messages.success(request, _("Language set to %(names)s.") % {"names": names[wanted]})
    return redirect("people:customer", customer_id=customer.pk)


@agent_required
@require_http_methods(["GET", "POST"])
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = selectors.organization_get_for_agent(
        agent=request.user, organization_id=organization_id
    )
    errors: dict[str, str] = {}
    status = 200
    domains = list(organization.domains.values_list("domain", flat=True))
    values = {"name": organization.name, "notes": organization.notes, "domains": ", ".join(domains)}
    if request.method == "POST":
        values = _fields(request, ORGANIZATION_FIELDS)
        try:
            customer_services.organization_update(
                organization=organization,
                by=request.user,
                name=values["name"],
                notes=values["notes"],
                domains=services.split_addresses(values["domains"]),
            )
        except DomainError as exc:
            organization.refresh_from_db()
            errors[exc.field if exc.field in ORGANIZATION_FIELDS else "form"] = exc.message
            status = 400
        else:
            messages.success(request, _("Organization saved."))
            return redirect("people:organization", organization_id=organization.pk)
    members, member_count = selectors.organization_members(organization)
    page = selectors.tickets_page(
        agent=request.user,
        cursor=request.GET.get("cursor"),
        before=request.GET.get("before"),
        organization=organization,
    )
    context = {
        "organization": organization,
        "values": values,
        "errors": errors,
        "members": members,
        "member_count": member_count,
        "side_panels": panels.panels_for_profile(agent=request.user, organization=organization),
        **section_context(organization),
        "page": page,
        **nav_context(request),
    }
    return render(request, "agent/organization.html", context, status=status)


@agent_required
@require_http_methods(["GET", "POST"])
def customer_merge_view(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Merge another contact (``source``, found by ``q``) into this one, after a preview."""
    target = selectors.customer_get_for_agent(agent=request.user, customer_id=customer_id)
    data = request.POST if request.method == "POST" else request.GET
    query = data.get("q", "")
    error, status, source = "", 200, None
    picked = data.get("source", "").strip()
    if picked:
        try:
            source = selectors.customer_get_for_agent(agent=request.user, customer_id=int(picked))
        except (ValueError, NotFound):
            error, status = "There is no such contact.", 404
    if target.merged_into_id:
        error, status, source = (
            "This contact was merged into another; merge into that one.",
            409,
            None,
        )
    if request.method == "POST" and source is not None and not error:
        try:
            services.customer_merge(source=source, target=target, by=request.user)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error, status = exc.message, 409
        else:
            messages.success(
                request,
                _("%(email)s was merged into %(display_name)s.")
                % {"email": source.email, "display_name": target.display_name},
            )
            return redirect("people:customer", customer_id=target.pk)
    context = {
        "customer": target,
        "query": query,
        "candidates": []
        if source is not None
        else selectors.customer_matches(agent=request.user, text=query, exclude=target.pk),
        "preview": selectors.customer_merge_preview(source=source, target=target)
        if source is not None and not error
        else None,
        "error": error,
        **nav_context(request),
    }
    return render(request, "agent/customer_merge.html", context, status=status)


@agent_required
@require_GET
def organization_options(request: HttpRequest) -> HttpResponse:
    """The type-ahead's suggestions for an organization filter: ``<option>`` rows of names."""
    found = selectors.organization_matches(
        agent=request.user, text=request.GET.get("organization", "")
    )
    return render(request, "agent/_organization_options.html", {"organizations": found})
