"""Portal pages. Every page that shows a ticket, message or file reads it through a selector that
checks the signed-in customer's reach; writes go through ``portal.services``."""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Callable
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.branding import brand
from accounts.branding import brand_css as brand_css_text
from customers.services import customer_set_locale
from kb import selectors as kb_selectors
from kb import services as kb_services
from portal import ratelimit, selectors, services
from portal.forms import (
    PasswordForm,
    ReplyForm,
    SignedOutTicketForm,
    SignInForm,
    TicketForm,
    TimeZoneForm,
)
from portal.models import LinkPurpose
from portal.tasks import send_signin_link
from products.cache import catalog
from support.errors import DomainError, ValidationFailed
from tickets.downloads import attachment_response
from tickets.fields.services import visible_values
from tickets.selectors import (
    attachment_get_for_user,
    messages_visible_to,
    ticket_get_for_customer,
    tickets_visible_to,
)
from tickets.services import customer_may_act

BACKEND = "accounts.backends.EmailBackend"


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in customers only; others sign in first, agents get "not found". Dates on the page
    are shown in the customer's time zone."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            target = reverse("portal:sign-in")
            return redirect(f"{target}?next={request.get_full_path()}")
        customer = selectors.customer_of(request.user)
        if customer is None or not request.user.is_active:
            raise Http404("No such page.")
        request.customer = customer
        try:
            timezone.activate(zoneinfo.ZoneInfo(customer.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()

    return wrapped


def _form_error(form, exc: DomainError) -> None:
    field = exc.field or ""
    if field.startswith("fields."):  # a custom field: the form names it field_<key>
        field = "field_" + field.removeprefix("fields.")
    form.add_error(field if field in form.fields else None, exc.message)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _submit_sent(request: HttpRequest, email: str) -> HttpResponse:
    return render(
        request,
        "portal/submit_sent.html",
        {"email": email, "minutes": settings.PORTAL_LINK_MAX_AGE // 60},
    )


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["rate_limited"] = True
    return render(request, template, context, status=429)


# --- branding -------------------------------------------------------------------------------


@require_GET
@cache_control(max_age=300, public=True)
def brand_css(request: HttpRequest) -> HttpResponse:
    """The brand colours as CSS custom properties (no inline styles on pages); every page links
    ``brand_css`` now, this address stays for pages cached before."""
    return HttpResponse(brand_css_text(brand()), content_type="text/css")


# --- signing in -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if selectors.customer_of(request.user):
        return redirect("portal:home")
    form = SignInForm(request.POST or None)
    context = {"form": form, "next": _safe_next(request, "")}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not (
            ratelimit.hit(
                "signin-ip", ratelimit.client_ip(request), settings.PORTAL_SIGNIN_RATE_PER_IP
            )
            and ratelimit.hit("signin-email", email, settings.PORTAL_SIGNIN_RATE_PER_EMAIL)
        ):
            return _too_many(request, "portal/sign_in.html", context)
        # Off the request (portal.tasks): the same work and time for every address.
        send_signin_link.delay(email, context["next"])
        return render(
            request,
            "portal/sign_in_sent.html",
            {"email": email, "minutes": settings.PORTAL_LINK_MAX_AGE // 60},
        )
    return render(request, "portal/sign_in.html", context)


@require_http_methods(["GET", "POST"])
def sign_in_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST uses the link up, so a mail scanner that follows links
    can't spend it before the customer does."""
    if request.method == "GET":
        return render(request, "portal/link_confirm.html", {"purpose": LinkPurpose.SIGN_IN})
    try:
        user, next_path = services.signin_confirm(token=token)
    except DomainError as exc:
        return render(request, "portal/link_failed.html", {"message": exc.message}, status=400)
    login(request, user, backend=BACKEND)
    return redirect(next_path or "portal:home")


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:sign-in")


@customer_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    password_form = PasswordForm(
        request.POST if action == "password" else None,
        user=request.user,
        ip=ratelimit.client_ip(request),
    )
    zone_form = TimeZoneForm(
        request.POST if action == "time_zone" else None,
        initial={"time_zone": request.customer.time_zone},
    )
    if action == "password" and password_form.is_valid():
        services.portal_set_password(
            user=request.user, password=password_form.cleaned_data["password1"]
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is set. You can now also sign in with it."))
        return redirect("portal:account")
    if action == "time_zone" and zone_form.is_valid():
        services.customer_set_time_zone(
            customer=request.customer, time_zone=zone_form.cleaned_data["time_zone"]
        )
        messages.success(request, _("Your time zone is saved."))
        return redirect("portal:account")
    return render(
        request,
        "portal/account.html",
        {"password_form": password_form, "zone_form": zone_form, "nav": "account"},
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The portal's language switcher: a cookie for visitors, the contact's ``locale`` for a
    signed-in customer (so mail follows too). Back to the page it was used on."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return HttpResponse(_("Choose one of the languages offered."), status=400)
    customer = selectors.customer_of(request.user)
    if customer is not None:
        customer_set_locale(customer=customer, locale=code, by=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}) or not target.startswith(
        "/"
    ):
        target = reverse("portal:home") if customer is not None else reverse("kb:home")
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response


# --- tickets --------------------------------------------------------------------------------


@customer_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    tab = "solved" if request.GET.get("tab") == "solved" else "open"
    tickets = list(selectors.portal_tickets(user=request.user, tab=tab)[:200])
    for ticket in tickets:
        ticket.plain_status = selectors.plain_status(ticket.status)
    return render(
        request,
        "portal/home.html",
        {
            "tickets": tickets,
            "tab": tab,
            "show_requester": request.customer.is_org_manager,
            "nav": "tickets",
        },
    )


@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    customer = selectors.customer_of(request.user)
    if request.user.is_authenticated and customer is None:
        raise Http404("No such page.")
    form_class = TicketForm if customer else SignedOutTicketForm
    form = form_class(request.POST or None, request.FILES or None)
    context = {"form": form, "nav": "new"}
    if request.method != "POST":
        return render(request, "portal/ticket_new.html", context)
    if not customer and request.POST.get("website"):
        # A bot filled the honeypot: look like success, file nothing.
        return _submit_sent(request, request.POST.get("email", ""))
    if not ratelimit.hit(
        "submit-ip", ratelimit.client_ip(request), settings.PORTAL_SUBMIT_RATE_PER_IP
    ):
        return _too_many(request, "portal/ticket_new.html", context)
    if not form.is_valid():
        return render(request, "portal/ticket_new.html", context, status=400)
    data = form.cleaned_data
    fields = {
        "subject": data["subject"],
        "body": data["body"],
        "category": data.get("category") or "",
        "priority": data.get("priority") or "",
        "attachments": data.get("attachments") or [],
        **form.catalog_values(),
        "fields": form.custom_field_values(),
        "form": form.chosen_form(),
    }
    try:
        if customer:
            ticket = services.ticket_submit(customer=customer, **fields)
        else:
            services.submission_hold(email=data["email"], name=data.get("name", ""), **fields)
    except ValidationFailed as exc:
        _form_error(form, exc)
        return render(request, "portal/ticket_new.html", context, status=400)
    # Filed anyway: the help-center articles suggested while typing were not enough.
    deflection = kb_selectors.deflection_get(token=request.POST.get("kb_session", ""))
    if deflection is not None:
        kb_services.deflection_submitted(session=deflection, ticket=ticket if customer else None)
    if not customer:
        return _submit_sent(request, data["email"])
    return redirect("portal:ticket-submitted", ticket_id=ticket.pk)


@require_GET
def product_parts(request: HttpRequest) -> HttpResponse:
    """htmx: the request form's version and component lists for the product in ``?product=``."""
    form = TicketForm(
        initial={
            "product": request.GET.get("product", "")[:12],
            "form": request.GET.get("form", "")[:12],
        }
    )
    return render(request, "portal/_product_parts.html", {"form": form})


@require_GET
def form_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the request form's fields for the ticket form in ``?form=``, keeping what was
    typed in the fields the two forms share."""
    initial = {key: request.GET.get(key, "")[:10_000] for key in request.GET}
    for key in request.GET:
        if len(request.GET.getlist(key)) > 1:
            initial[key] = request.GET.getlist(key)[:100]
    form = TicketForm(initial=initial)
    for name, field in form.fields.items():  # one ticked box comes as one value
        if isinstance(field, forms.MultipleChoiceField):
            form.initial[name] = request.GET.getlist(name)[:100]
    return render(request, "portal/_form_fields.html", {"form": form})


@require_http_methods(["GET", "POST"])
def submit_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        return render(request, "portal/link_confirm.html", {"purpose": LinkPurpose.SUBMISSION})
    try:
        ticket, user = services.submission_confirm(token=token)
    except DomainError as exc:
        return render(request, "portal/link_failed.html", {"message": exc.message}, status=400)
    if user is not None and user.is_active:
        login(request, user, backend=BACKEND)
        return redirect("portal:ticket-submitted", ticket_id=ticket.pk)
    return render(request, "portal/submitted.html", {"ticket": ticket, "signed_out": True})


@customer_required
@require_GET
def ticket_submitted(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_customer(user=request.user, ticket_id=ticket_id)
    return render(request, "portal/submitted.html", {"ticket": ticket, "nav": "new"})


def _ticket_page(request: HttpRequest, ticket, reply_form=None, status: int = 200) -> HttpResponse:
    conversation = list(messages_visible_to(user=request.user, ticket=ticket))
    # Messages merged in from another ticket name it only if this customer may open it: a ticket
    # of someone else merged in shows as "an earlier conversation", never by its number.
    sources = {m.merged_from_id for m in conversation if m.merged_from_id}
    merged_visible = (
        set(tickets_visible_to(request.user).filter(pk__in=sources).values_list("pk", flat=True))
        if sources
        else set()
    )
    may_act = customer_may_act(request.customer, ticket)
    return render(
        request,
        "portal/ticket.html",
        {
            "ticket": ticket,
            "conversation": conversation,
            "merged_visible": merged_visible,
            "plain_status": selectors.plain_status(ticket.status),
            "reply_form": reply_form or ReplyForm(),
            "follow_up": services.needs_follow_up(ticket),
            # Someone copied in reads and replies; solving and reopening stay the requester's.
            "copied": not may_act,
            "can_solve": may_act and ticket.is_open,
            "can_reopen": (
                may_act and ticket.status == "solved" and not services.needs_follow_up(ticket)
            ),
            "reopen_days": settings.PORTAL_REOPEN_DAYS,
            "about": _about(ticket),
            "nav": "tickets",
        },
        status=status,
    )


def _about(ticket) -> list[tuple[str, str]]:
    """What the ticket is about, as the customer may see it: product, version and component
    (from the process's copy of the catalog) and the custom fields shown to customers."""
    known = catalog.get()
    rows = []
    product = known.product(ticket.product_id)
    if product is not None:
        rows.append((_("Product"), product.name))
        for label, parts, pk in (
            (_("Version"), known.versions_of(product.pk), ticket.version_id),
            (_("Component"), known.components_of(product.pk), ticket.component_id),
        ):
            part = next((p for p in parts if p.pk == pk), None)
            if part is not None:
                rows.append((label, part.name))
    for field, _value, shown in visible_values(ticket.fields or {}, customer=True):
        if shown:
            rows.append((field.label_for_customers, shown))
    return rows


@customer_required
@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_customer(user=request.user, ticket_id=ticket_id)
    return _ticket_page(request, ticket)


@customer_required
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_customer(user=request.user, ticket_id=ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _ticket_page(request, ticket, form, status=400)
    try:
        landed, _message = services.customer_reply(
            ticket=ticket,
            customer=request.customer,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
        )
    except ValidationFailed as exc:
        _form_error(form, exc)
        return _ticket_page(request, ticket, form, status=400)
    if landed.pk != ticket.pk:
        messages.success(
            request,
            _("%(old)s was closed, so your reply started a new ticket, %(new)s.")
            % {"old": ticket.reference, "new": landed.reference},
        )
        return redirect("portal:ticket-submitted", ticket_id=landed.pk)
    messages.success(request, _("Your reply was sent."))
    return redirect("portal:ticket", ticket_id=ticket.pk)


@customer_required
@require_POST
def ticket_solve(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_customer(user=request.user, ticket_id=ticket_id)
    services.customer_solve(ticket=ticket, customer=request.customer)
    messages.success(request, _("Marked as solved. Thanks for letting us know!"))
    return redirect("portal:ticket", ticket_id=ticket.pk)


@customer_required
@require_POST
def ticket_reopen(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_customer(user=request.user, ticket_id=ticket_id)
    services.customer_reopen(ticket=ticket, customer=request.customer)
    messages.success(request, _("Reopened. We'll take another look."))
    return redirect("portal:ticket", ticket_id=ticket.pk)


@customer_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment, private=True)
