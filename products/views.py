"""Catalog pages: everyone who works with tickets or feedback reads the list; admins and
product managers add and change products, versions and components. The options fragment gives
the version and component lists of a chosen product to the portal's and the agent's forms."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import insights_required
from products import services
from products.cache import catalog
from products.forms import ComponentForm, ProductForm, VersionForm
from products.models import Component, Product, Version
from products.selectors import products_for_admin
from support.errors import DomainError


def _require_manager(request: HttpRequest) -> None:
    if not services.may_manage_catalog(request.user):
        raise Http404("No such page.")


def _save(request: HttpRequest, form, save) -> Model | None:
    """Run ``save(obj)`` on a valid form; a refusal becomes the form's error."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return save(form.save(commit=False))
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


RECENT_PER_VERSION = 3


def _versions_with_tickets(product) -> list:
    """The product's versions, each with its number of tickets and its newest few (read
    through the reverse relations: the catalog names no app above it). Two queries."""
    versions = list(product.versions.annotate(ticket_count=Count("tickets")))
    recent = (
        product.tickets.filter(version__isnull=False)
        .order_by("-updated_at", "-id")
        .only("id", "subject", "version_id")[: RECENT_PER_VERSION * max(len(versions), 1) * 4]
    )
    by_version: dict[int, list] = {}
    for ticket in recent:
        by_version.setdefault(ticket.version_id, []).append(ticket)
    for version in versions:
        version.recent_tickets = by_version.get(version.pk, [])[:RECENT_PER_VERSION]
    return versions


@insights_required
def product_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "products/product_list.html",
        {
            "products": products_for_admin(),
            "may_manage": services.may_manage_catalog(request.user),
            "nav_current": "products",
        },
    )


@insights_required
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    product = get_object_or_404(Product.objects.select_related("manager"), pk=pk) if pk else None
    form = ProductForm(request.POST or None, instance=product)
    saved = _save(request, form, lambda p: services.product_save(product=p, by=request.user))
    if saved is not None:
        messages.success(request, _("Saved product “%(name)s”.") % {"name": saved.name})
        return redirect("products:edit", pk=saved.pk)
    return render(
        request,
        "products/product_form.html",
        {
            "form": form,
            "product": product,
            "versions": _versions_with_tickets(product) if product else [],
            "components": list(product.components.all()) if product else [],
            "version_form": VersionForm(prefix="version") if product else None,
            "component_form": ComponentForm(prefix="component") if product else None,
            "nav_current": "products",
        },
    )


@insights_required
def version_edit(request: HttpRequest, product_pk: int, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    product = get_object_or_404(Product, pk=product_pk)
    version = get_object_or_404(Version, pk=pk, product=product) if pk else Version(product=product)
    form = VersionForm(request.POST or None, instance=version, prefix=None if pk else "version")
    saved = _save(request, form, lambda v: services.version_save(version=v, by=request.user))
    if saved is not None:
        messages.success(
            request,
            _("Saved version %(name)s of %(name2)s.") % {"name": saved.name, "name2": product.name},
        )
        return redirect("products:edit", pk=product.pk)
    return render(
        request,
        "products/part_form.html",
        {
            "form": form,
            "product": product,
            "part": version,
            "what": "version",
            "delete_url": "products:version_delete",
            "nav_current": "products",
        },
    )


@insights_required
def component_edit(request: HttpRequest, product_pk: int, pk: int | None = None) -> HttpResponse:
    _require_manager(request)
    product = get_object_or_404(Product, pk=product_pk)
    component = (
        get_object_or_404(Component, pk=pk, product=product) if pk else Component(product=product)
    )
    form = ComponentForm(
        request.POST or None, instance=component, prefix=None if pk else "component"
    )
    saved = _save(request, form, lambda c: services.component_save(component=c, by=request.user))
    if saved is not None:
        messages.success(
            request,
            _("Saved component “%(name)s” of %(name2)s.")
            % {"name": saved.name, "name2": product.name},
        )
        return redirect("products:edit", pk=product.pk)
    return render(
        request,
        "products/part_form.html",
        {
            "form": form,
            "product": product,
            "part": component,
            "what": "component",
            "delete_url": "products:component_delete",
            "nav_current": "products",
        },
    )


@insights_required
@require_POST
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    product = get_object_or_404(Product, pk=pk)
    try:
        services.product_delete(product=product, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("products:edit", pk=pk)
    messages.success(request, _("Deleted product “%(name)s”.") % {"name": product.name})
    return redirect("products:list")


@insights_required
@require_POST
def version_delete(request: HttpRequest, product_pk: int, pk: int) -> HttpResponse:
    _require_manager(request)
    version = get_object_or_404(Version, pk=pk, product_id=product_pk)
    try:
        services.version_delete(version=version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deleted version %(name)s.") % {"name": version.name})
    return redirect("products:edit", pk=product_pk)


@insights_required
@require_POST
def component_delete(request: HttpRequest, product_pk: int, pk: int) -> HttpResponse:
    _require_manager(request)
    component = get_object_or_404(Component, pk=pk, product_id=product_pk)
    try:
        services.component_delete(component=component, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deleted component “%(name)s”.") % {"name": component.name})
    return redirect("products:edit", pk=product_pk)


@require_GET
def product_choice_options(request: HttpRequest) -> HttpResponse:
    """The version and component ``<select>`` lists of the product in ``?product=``, for an htmx
    swap when a form's product changes. Agents get every version; everyone else (the portal,
    also before signing in) only what a new request may name."""
    raw = request.GET.get("product", "")
    product_id = int(raw) if raw.isdecimal() and len(raw) < 10 else None
    user = request.user
    offered_only = not (user.is_authenticated and user.is_agent)
    known = catalog.get()
    product = known.product(product_id)
    if product is None or (offered_only and not product.active):
        product_id = None
    versions = known.versions_of(product_id, offered_only=offered_only)
    components = known.components_of(product_id, offered_only=offered_only)
    return render(
        request,
        "products/_choice_options.html",
        {
            "versions": versions,
            "components": components,
            "chosen_product": product_id,
            "prefix": request.GET.get("prefix", "")[:20],
        },
    )
