"""The dashboard's filter form read from a request (the page and its CSV exports read the same
one): the date range, team, agent, organization, channel, and product, version and component.

Input that names nothing — an organization, product, version or component that doesn't exist,
or a version or component of another product than the one chosen — is a :class:`FilterError`
with a sentence per field, never a report for some other filter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Value
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.translation import gettext as _

from customers.models import Organization
from products.cache import Catalog, catalog
from products.models import Component, Version
from reports.filters import ReportFilter
from support import clock
from tickets.models import Channel

MAX_DAYS = 366
PRESETS = (7, 30, 90)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdecimal() else None


@dataclass(frozen=True)
class Filters:
    """The report filter and what the form shows for it."""

    report: ReportFilter
    organization_name: str = ""  # the type-ahead's value: the selected organization's name


class FilterError(ValueError):
    """Filter input that names nothing (an unknown organization or product, a version of
    another product). Raised, not returned, so no caller can show an unfiltered report by
    mistake; ``errors`` has a sentence per field, ``filters`` the rest of the form."""

    def __init__(self, errors: dict[str, str], *, filters: Filters) -> None:
        self.field, self.message = next(iter(errors.items()))
        super().__init__(self.message)
        self.errors, self.filters = errors, filters


def _organization(request: HttpRequest) -> tuple[int | None, str, str]:
    """(organization id, its name, error) from ``organization_name`` (case-insensitive exact
    match, as the ``Lower(name)`` unique constraint defines it) or else ``organization=<id>``
    (links from before the type-ahead). One query when either is given."""
    typed = request.GET.get("organization_name", "").strip()
    if typed:
        found = (
            Organization.objects.alias(name_lower=Lower("name"))
            .filter(name_lower=Lower(Value(typed)))
            .order_by()
            .values_list("pk", "name")[:1]
        )
        if not found:
            return None, typed, _("No organization is named “%(name)s”.") % {"name": typed}
        pk, name = found[0]
        return pk, name, ""
    org_id = _int(request.GET.get("organization"))
    if org_id is None:
        return None, "", ""
    name = Organization.objects.filter(pk=org_id).values_list("name", flat=True).first()
    if name is None:
        return None, "", _("No organization has the id %(id)s.") % {"id": org_id}
    return org_id, name, ""


def _catalog_id(raw: str) -> int | None:
    return int(raw) if raw.isdecimal() and len(raw) < 10 else None


def _part(shelf: Catalog, kind: str, raw: str) -> tuple[Version | Component | None, str]:
    """The version or component ``raw`` names (any product's), or an error."""
    wanted = _catalog_id(raw)
    parts = shelf.versions if kind == "version" else shelf.components
    found = next((p for group in parts.values() for p in group if p.pk == wanted), None)
    if found is None:
        message = (
            _("No version has the id “%(id)s”.")
            if kind == "version"
            else _("No component has the id “%(id)s”.")
        )
        return None, message % {"id": raw[:20]}
    return found, ""


def _mismatch(kind: str, product: str) -> str:
    """The sentence for a version or component of another product than the chosen one."""
    if kind == "version":
        if product:
            return _("Version “%(name)s” is not one of %(product)s’s versions.")
        return _("Version “%(name)s” is not one of the chosen product’s versions.")
    if product:
        return _("Component “%(name)s” is not one of %(product)s’s components.")
    return _("Component “%(name)s” is not one of the chosen product’s components.")


def parse_products(
    request: HttpRequest, shelf: Catalog
) -> tuple[dict[str, int | None], dict[str, str]]:
    """({"product_id", "version_id", "component_id"}, errors) from ``product``, ``version`` and
    ``component``, checked against the catalog (``products.cache``: no query). A version or
    component without a product narrows to its own product; with a product, it must be one of
    that product's."""
    ids: dict[str, int | None] = {"product_id": None, "version_id": None, "component_id": None}
    errors: dict[str, str] = {}
    raw = request.GET.get("product", "").strip()
    product = shelf.product(_catalog_id(raw)) if raw else None
    if raw and product is None:
        errors["product"] = _("No product has the id “%(id)s”.") % {"id": raw[:20]}
    elif product is not None:
        ids["product_id"] = product.pk
    for kind in ("version", "component"):
        raw = request.GET.get(kind, "").strip()
        if not raw:
            continue
        part, error = _part(shelf, kind, raw)
        if part is None:
            errors[kind] = error
            continue
        owner = ids["product_id"]
        if owner is None and "product" not in errors:
            ids["product_id"] = owner = part.product_id
        if owner != part.product_id:
            chosen = shelf.product(owner)
            errors[kind] = _mismatch(kind, chosen.name if chosen else "") % {
                "name": part.name,
                "product": chosen.name if chosen else "",
            }
            continue
        ids[f"{kind}_id"] = part.pk
    return ids, errors


def parse_filter(request: HttpRequest, *, shelf: Catalog | None = None) -> Filters:
    """The filter of a dashboard or CSV request. Raises ``FilterError`` for an organization,
    product, version or component that doesn't exist, or a version or component of another
    product. ``shelf``: the catalog, when the caller has it already."""
    tz = ZoneInfo(getattr(request.user, "time_zone", None) or "UTC")
    today = clock.now().astimezone(tz).date()
    days = _int(request.GET.get("days"))
    end = _date(request.GET.get("end")) or today
    start = _date(request.GET.get("start"))
    if days in PRESETS:
        end, start = today, today - timedelta(days=days - 1)
    if start is None:
        start = end - timedelta(days=29)
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    channel = request.GET.get("channel", "")
    organization_id, organization_name, error = _organization(request)
    products, errors = parse_products(request, shelf or catalog.get())
    if error:
        errors = {"organization_name": error, **errors}
    filters = Filters(
        report=ReportFilter(
            start=start,
            end=end,
            tz=tz,
            team_id=_int(request.GET.get("team")),
            agent_id=_int(request.GET.get("agent")),
            organization_id=organization_id,
            channel=channel if channel in Channel.values else "",
            **products,
        ),
        organization_name=organization_name,
    )
    if errors:
        raise FilterError(errors, filters=filters)
    return filters


def product_choices(shelf: Catalog, product_id: int | None) -> dict:
    """The product, version and component lists of the form (``reports/_product_parts.html``).
    With a product chosen, the versions and components are that product's; without one, every
    product's, grouped by product, so the form works without JavaScript too (choosing a version
    narrows to its product). ``shelf``: the catalog (``products.cache``, kept per process)."""
    chosen = shelf.product(product_id)
    owners = [chosen] if chosen is not None else list(shelf.products)
    return {
        "products": shelf.products,
        "chosen_product": chosen,
        "version_groups": [(p, v) for p in owners if (v := shelf.versions_of(p.pk))],
        "component_groups": [(p, c) for p in owners if (c := shelf.components_of(p.pk))],
    }
