"""The New ticket page's ticket form: the agent picks a form ("Bug report") and the page shows
its custom fields under their agent labels (htmx swaps them when the form changes). Values go
to ``ticket_create`` as ``fields`` with the ``form``; the services check them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import agent_required
from tickets.fields.models import BUILTIN_KEYS, TicketForm
from tickets.fields.ticket_forms import form_get, form_items, forms_offered

PREFIX = "field_"


def chosen_form(data: QueryDict) -> TicketForm | None:
    """The form in ``data`` if it is one agents may file with (else none)."""
    form = form_get(data.get("form"))
    return form if form in forms_offered(customer=False) else None


def form_field_rows(form: TicketForm | None, data: QueryDict | None) -> list[dict]:
    """The chosen form's custom fields, each with what was typed (or ticked) in it."""
    if form is None:
        return []
    rows = []
    for key, field, required in form_items(form, customer=False):
        if key in BUILTIN_KEYS:
            continue  # the page always has product, version and component
        held = data.getlist(PREFIX + key) if data is not None else []
        choices = [c for c in field.choice_list if not c.retired or c.value in held]
        value = held[-1] if held else ""
        rows.append(
            {"field": field, "value": value, "held": held, "choices": choices, "required": required}
        )
    return rows


def field_values(form: TicketForm | None, data: QueryDict) -> dict:
    """What was filled in the form's fields, by key (empty ones left out)."""
    values: dict = {}
    for row in form_field_rows(form, data):
        field = row["field"]
        held = [v for v in row["held"] if v.strip()]
        if not held:
            continue
        values[field.key] = held if field.kind == "multi_choice" else held[-1]
    return values


def form_context(data: QueryDict | None) -> dict:
    form = chosen_form(data) if data is not None else None
    return {
        "ticket_forms": forms_offered(customer=False),
        "chosen_form": form,
        "form_fields": form_field_rows(form, data),
    }


@agent_required
@require_GET
def new_ticket_form_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the fields of the form in ``?form=``, keeping what was typed in shared ones."""
    return render(
        request, "agent/_new_ticket_fields.html", {**form_context(request.GET), "errors": {}}
    )
