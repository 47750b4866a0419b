"""Admin pages for ticket forms: the list, and a page per form (its name, who may choose it,
and a table of the fields it holds, in order, with the ones a customer must fill in)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required
from support.errors import DomainError
from tickets.fields import ticket_forms
from tickets.fields.forms import TicketFormEditForm, form_rows, items_from_post
from tickets.fields.models import TicketForm

PURPOSE = _("Ticket forms: which fields a customer fills in for each kind of request.")


@admin_required(PURPOSE)
def form_list(request: HttpRequest) -> HttpResponse:
    forms = TicketForm.objects.prefetch_related("items").annotate(used=Count("ticket"))
    rows = [
        (form, [ticket_forms.key_label(item.key) for item in form.items.all()]) for form in forms
    ]
    return render(
        request, "tickets/fields/form_list.html", {"rows": rows, "nav_current": "ticket-forms"}
    )


@admin_required(PURPOSE)
def form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    ticket_form = get_object_or_404(TicketForm, pk=pk) if pk else None
    form = TicketFormEditForm(request.POST or None, instance=ticket_form)
    items_error = ""
    if request.method == "POST" and form.is_valid():
        try:
            saved = ticket_forms.form_save(
                form=form.save(commit=False), items=items_from_post(request.POST), by=request.user
            )
        except DomainError as exc:
            if exc.field == "items" or exc.field not in form.fields:
                items_error = exc.message
            else:
                form.add_error(exc.field, exc.message)
        else:
            messages.success(request, gettext("Saved the form “%(name)s”.") % {"name": saved.name})
            return redirect("fields:form_list")
    context = {
        "form": form,
        "ticket_form": ticket_form,
        "rows": form_rows(ticket_form, request.POST if request.method == "POST" else None),
        "items_error": items_error,
        "nav_current": "ticket-forms",
    }
    status = 400 if form.errors or items_error else 200
    return render(request, "tickets/fields/form_edit.html", context, status=status)


@admin_required(PURPOSE)
@require_POST
def form_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ticket_form = get_object_or_404(TicketForm, pk=pk)
    try:
        ticket_forms.form_delete(form=ticket_form, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("fields:form_edit", pk=pk)
    messages.success(request, gettext("Deleted the form “%(name)s”.") % {"name": ticket_form.name})
    return redirect("fields:form_list")
