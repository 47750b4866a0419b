"""Organization and customer field values edited in place on the agent's profile pages: one
small form per field, posted by htmx, answered with the fields' section (with the error beside
the field and what was typed kept). Values are checked by ``customers.fields``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import agent_required
from customers import fields as profile
from customers.models import Customer, Organization
from support.customfields import FieldKind
from support.errors import DomainError, NotFound
from tickets.people import selectors


def section_context(holder: Organization | Customer, *, error: dict | None = None) -> dict:
    """The fields' section of a profile page: each field with its value, the URL its form posts
    to, and (after a refused change) the error and what was typed."""
    organization = isinstance(holder, Organization)
    error = error or {}
    rows = []
    for row in profile.values_of(holder):
        typed = error.get("typed") if error.get("key") == row.field.key else None
        rows.append(
            {
                "row": row,
                "error": error.get("message") if typed is not None else "",
                "typed": typed,
                "held": typed if isinstance(typed, list) else row.held,
                "value": typed if isinstance(typed, str) else row.value,
            }
        )
    return {
        "profile_fields": rows,
        "profile_target": "organization" if organization else "customer",
        "profile_holder": holder,
    }


def _edit(request: HttpRequest, holder: Organization | Customer, key: str) -> HttpResponse:
    organization = isinstance(holder, Organization)
    target = profile.Target.ORGANIZATION if organization else profile.Target.CUSTOMER
    field = profile.field_for(target, key)
    if field is None:
        raise Http404("No such field.")
    multi = field.kind == FieldKind.MULTI_CHOICE
    typed = request.POST.getlist("value") if multi else request.POST.get("value", "")
    error: dict = {}
    status = 200
    try:
        if organization:
            profile.organization_set_fields(
                organization=holder, values={key: typed}, by=request.user
            )
        else:
            profile.customer_set_fields(customer=holder, values={key: typed}, by=request.user)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        error, status = {"key": key, "message": exc.message, "typed": typed}, 400
    if not request.htmx:
        if error:
            messages.error(request, error["message"])
        else:
            messages.success(request, _("%(label)s saved.") % {"label": field.label})
        if organization:
            return redirect("people:organization", organization_id=holder.pk)
        return redirect("people:customer", customer_id=holder.pk)
    holder.refresh_from_db(fields=["fields"])
    context = section_context(holder, error=error)
    context["saved_key"] = "" if error else key
    return render(request, "agent/_profile_fields.html", context, status=status)


@agent_required
@require_POST
def organization_field_edit(request: HttpRequest, organization_id: int, key: str) -> HttpResponse:
    organization = selectors.organization_get_for_agent(
        agent=request.user, organization_id=organization_id
    )
    return _edit(request, organization, key)


@agent_required
@require_POST
def customer_field_edit(request: HttpRequest, customer_id: int, key: str) -> HttpResponse:
    customer = selectors.customer_get_for_agent(agent=request.user, customer_id=customer_id)
    return _edit(request, customer, key)
