"""Admin pages for custom ticket fields: the list, and a form per field."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required
from support.errors import DomainError
from tickets.fields import services
from tickets.fields.forms import FieldForm
from tickets.fields.models import TicketField

PURPOSE = _("Custom ticket fields: the extra details tickets carry, and their choices.")


@admin_required(PURPOSE)
def field_list(request: HttpRequest) -> HttpResponse:
    fields = TicketField.objects.prefetch_related("choices")
    return render(request, "tickets/fields/list.html", {"fields": fields, "nav_current": "fields"})


@admin_required(PURPOSE)
def field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    field = get_object_or_404(TicketField, pk=pk) if pk else None
    form = FieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.field_save(
                field=form.save(commit=False), choices=form.choice_list(), by=request.user
            )
        except DomainError as exc:
            where = exc.field if exc.field in form.fields else None
            if exc.field == "choices":
                where = "choices_text"
            form.add_error(where, exc.message)
        else:
            messages.success(request, f"Saved the field “{saved.label}”.")
            return redirect("fields:list")
    return render(
        request,
        "tickets/fields/form.html",
        {"form": form, "field": field, "nav_current": "fields"},
        status=400 if form.errors else 200,
    )


@admin_required(PURPOSE)
@require_POST
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(TicketField, pk=pk)
    try:
        services.field_delete(field=field, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("fields:edit", pk=pk)
    messages.success(request, f"Deleted the field “{field.label}”.")
    return redirect("fields:list")
