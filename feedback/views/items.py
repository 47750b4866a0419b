"""Feedback item pages for agents and product managers: the list by demand, one item's demand."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import insights_required
from accounts.models import Role, User
from feedback.models import (
    NOTIFIABLE_STATUSES,
    FeedbackItem,
    Importance,
    ItemKind,
    ItemStatus,
)
from feedback.selectors import item_get, items_with_demand
from feedback.services import (
    feedback_item_change_status,
    feedback_item_create,
    feedback_item_merge,
    feedback_item_notify_customers,
    feedback_item_update,
    item_search_filter,
)
from products.cache import catalog
from products.models import Product
from support import clock
from support.charts import bar_chart
from support.errors import DomainError, ValidationFailed

TREND_WEEKS = 12

_STATUS_ORDER = Case(
    *[When(status=value, then=Value(i)) for i, value in enumerate(ItemStatus.values)],
    output_field=IntegerField(),
)

SORTS = {
    "demand": ("Most demand", [F("demand").desc(), "-last_demand_at"]),
    "recent": ("Newest demand", [F("last_demand_at").desc(nulls_last=True), "-demand"]),
    "new_demand": ("Demand in the last 30 days", [F("recent_demand").desc(), "-demand"]),
    "status": ("Status", ["status_order", "-demand"]),
    "area": ("Component", ["area", "-demand"]),
    "created": ("Newest items", ["-created_at"]),
}


def _is_pm(user: User) -> bool:
    return user.is_product_manager or user.is_admin


def _component_choices(known) -> list[tuple[int, str]]:
    names = {p.pk: p.name for p in known.products}
    return [
        (c.pk, f"{names[pid]} · {c.name}")
        for pid, components in known.components.items()
        for c in components
    ]


def _component_names() -> list[str]:
    """Every component's name once, for the component field's suggestions."""
    known = catalog.get()
    return sorted({c.name for parts in known.components.values() for c in parts}, key=str.lower)


def _product_from(request: HttpRequest, default=None):
    """The product chosen in the form (``product``: an id, or empty for none)."""
    raw = request.POST.get("product")
    if raw is None:
        return default
    if not raw:
        return None
    found = catalog.get().product(int(raw)) if raw.isdecimal() and len(raw) < 10 else None
    if found is None:
        raise ValidationFailed(gettext("Choose a product from the list."), field="product")
    return Product.objects.get(pk=found.pk)


@insights_required
def item_list(request: HttpRequest) -> HttpResponse:
    since = clock.now() - timedelta(days=30)
    items = items_with_demand(request.user).annotate(
        recent_demand=Count("links", filter=Q(links__created_at__gte=since), distinct=True),
        status_order=_STATUS_ORDER,
    )
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        items = items.filter(status=status)
    elif status == "open":
        items = items.exclude(status__in=[ItemStatus.SHIPPED, ItemStatus.DECLINED])
    kind = request.GET.get("kind", "")
    if kind in ItemKind.values:
        items = items.filter(kind=kind)
    area = request.GET.get("area", "")
    if area:
        items = items.filter(area=area)
    product = request.GET.get("product", "")
    if product.isdecimal():
        items = items.filter(product_id=int(product))
    component = request.GET.get("component", "")
    if component.isdecimal():
        items = items.filter(component_id=int(component))
    query = request.GET.get("q", "").strip()
    if query:
        items = items.filter(item_search_filter(query))
    sort = request.GET.get("sort", "demand")
    if sort not in SORTS:
        sort = "demand"
    items = items.order_by(*SORTS[sort][1], "-pk")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    known = catalog.get()
    return render(
        request,
        "feedback/item_list.html",
        {
            "page": page,
            "items": page.object_list,
            "sorts": {key: label for key, (label, _) in SORTS.items()},
            "sort": sort,
            "status": status,
            "kind": kind,
            "area": area,
            "product": product,
            "component": component,
            "query": query,
            "products": known.products,
            "components": _component_choices(known),
            "ItemStatus": ItemStatus,
            "ItemKind": ItemKind,
            "is_pm": _is_pm(request.user),
            "nav": "items",
        },
    )


@insights_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            item = feedback_item_create(
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                kind=request.POST.get("kind") or ItemKind.FEATURE_REQUEST,
                area=request.POST.get("area", ""),
                product=_product_from(request),
                owner=_owner_from(request),
                by=request.user,
            )
            return redirect("feedback:item_detail", item_id=item.pk)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "feedback/item_form.html",
        {
            "error": error,
            "ItemKind": ItemKind,
            "owners": _owners(),
            "values": request.POST,
            "products": catalog.get().products,
            "component_names": _component_names(),
            "nav": "new",
        },
        status=400 if error else 200,
    )


def _owners():
    return User.objects.filter(role__in=[Role.PRODUCT_MANAGER, Role.ADMIN], is_active=True)


def _owner_from(request: HttpRequest) -> User | None:
    owner_id = request.POST.get("owner")
    return _owners().filter(pk=owner_id).first() if owner_id else None


def _trend(item: FeedbackItem) -> tuple[list[str], list[int]]:
    """New links per week over the last ``TREND_WEEKS`` weeks, zero-filled."""
    now = clock.now()
    this_week = (now - timedelta(days=now.weekday())).date()
    start = this_week - timedelta(weeks=TREND_WEEKS - 1)
    counts = {
        row["week"].date() if hasattr(row["week"], "date") else row["week"]: row["n"]
        for row in item.links.filter(created_at__date__gte=start)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
    }
    weeks = [start + timedelta(weeks=i) for i in range(TREND_WEEKS)]
    return [w.strftime("%-d %b") for w in weeks], [counts.get(w, 0) for w in weeks]


QUOTES_SHOWN = 10


def _distinct_quotes(links) -> list:
    """The newest quotes, each wording once (several customers often say the same thing)."""
    seen, quotes = set(), []
    for link in links.exclude(quote="").order_by("-created_at")[:100]:
        key = " ".join(link.quote.lower().split())
        if key not in seen:
            seen.add(key)
            quotes.append(link)
        if len(quotes) == QUOTES_SHOWN:
            break
    return quotes


@insights_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_get(user=request.user, item_id=item_id)
    links = item.links.select_related("ticket", "customer", "organization", "created_by")
    stats = links.aggregate(
        tickets=Count("ticket", distinct=True),
        customers=Count("customer", distinct=True),
        organizations=Count("organization", distinct=True),
        **{f"imp_{value}": Count("id", filter=Q(importance=value)) for value in Importance.values},
    )
    organizations = (
        links.exclude(organization=None)
        .values("organization__name")
        .annotate(customers=Count("customer", distinct=True), tickets=Count("ticket"))
        .order_by("-customers", "-tickets", "organization__name")[:15]
    )
    labels, values = _trend(item)
    customers_to_notify = links.values("customer").distinct().count()
    return render(
        request,
        "feedback/item_detail.html",
        {
            "item": item,
            "links": links.order_by("-created_at")[:200],
            "quotes": _distinct_quotes(links),
            "stats": stats,
            "importance": [(label, stats[f"imp_{value}"]) for value, label in Importance.choices],
            "organizations": organizations,
            "trend_chart": bar_chart(
                title=f"New linked tickets per week, last {TREND_WEEKS} weeks",
                labels=labels,
                values=values,
                height=180,
            ),
            "trend": list(zip(labels, values, strict=True)),
            "is_pm": _is_pm(request.user),
            "can_notify": item.status in NOTIFIABLE_STATUSES,
            "customers_to_notify": customers_to_notify,
            "ItemStatus": ItemStatus,
            "ItemKind": ItemKind,
            "owners": _owners(),
            "products": catalog.get().products,
            "component_names": _component_names(),
            "merge_targets": FeedbackItem.objects.active()
            .exclude(pk=item.pk)
            .order_by("title")
            .only("title"),
            "nav": "items",
        },
    )


@insights_required
@require_POST
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_get(user=request.user, item_id=item_id)
    try:
        feedback_item_update(
            item=item,
            by=request.user,
            title=request.POST.get("title", item.title),
            description=request.POST.get("description", item.description),
            kind=request.POST.get("kind") or item.kind,
            area=request.POST.get("area", item.area),
            product=_product_from(request, item.product),
            owner=_owner_from(request),
        )
        messages.success(request, gettext("Item saved."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:item_detail", item_id=item.pk)


@insights_required
@require_POST
def item_change_status(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_get(user=request.user, item_id=item_id)
    feedback_item_change_status(
        item=item,
        status=request.POST.get("status", ""),
        public_note=request.POST.get("public_note"),
        by=request.user,
    )
    messages.success(
        request, gettext("Status is now %(item)s.") % {"item": item.get_status_display().lower()}
    )
    return redirect("feedback:item_detail", item_id=item.pk)


@insights_required
@require_POST
def item_notify(request: HttpRequest, item_id: int) -> HttpResponse:
    item = item_get(user=request.user, item_id=item_id)
    try:
        queued = feedback_item_notify_customers(
            item=item, message=request.POST.get("message", ""), by=request.user
        )
        messages.success(
            request,
            ngettext("%(count)s customer will be told", "%(count)s customers will be told", queued)
            % {"count": queued}
            if queued
            else gettext("Every customer behind this item was already told of this status."),
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise
        messages.error(request, exc.message)
    return redirect("feedback:item_detail", item_id=item.pk)


@insights_required
@require_POST
def item_merge(request: HttpRequest, item_id: int) -> HttpResponse:
    """Mark this item a duplicate of another; its linked tickets move over."""
    item = item_get(user=request.user, item_id=item_id)
    target = FeedbackItem.objects.active().filter(pk=_int(request.POST.get("target"))).first()
    if target is None:
        messages.error(request, gettext("Choose the item this one duplicates."))
        return redirect("feedback:item_detail", item_id=item.pk)
    try:
        feedback_item_merge(source=item, target=target, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("feedback:item_detail", item_id=item.pk)
    messages.success(request, gettext("Merged “%(title)s” into this item.") % {"title": item.title})
    return redirect("feedback:item_detail", item_id=target.pk)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdecimal() else 0
