"""Admin pages for custom ticket fields: the list, and a form per field."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
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


def definition_edit(
    request: HttpRequest, *, form, save, template: str, context: dict, done: str
) -> HttpResponse:
    """A field definition's form (ticket, organization or customer field): ``save(field,
    choices)`` is the service; a refused save is an error on the form, beside its field."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.save(commit=False), form.choice_list())
        except DomainError as exc:
            where = exc.field if exc.field in form.fields else None
            if exc.field == "choices":
                where = "choices_text"
            form.add_error(where, exc.message)
        else:
            messages.success(
                request, gettext("Saved the field “%(label)s”.") % {"label": saved.label}
            )
            return redirect(done)
    return render(
        request,
        template,
        {"form": form, "nav_current": "fields", **context},
        status=400 if form.errors else 200,
    )


def definition_delete(request: HttpRequest, *, field, delete, back: str, done: str) -> HttpResponse:
    """Delete a definition through ``delete(field)``; refused (held values): back to its form."""
    try:
        delete(field)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, gettext("Deleted the field “%(label)s”.") % {"label": field.label})
    return redirect(done)


@admin_required(PURPOSE)
def field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    field = get_object_or_404(TicketField, pk=pk) if pk else None
    return definition_edit(
        request,
        form=FieldForm(request.POST or None, instance=field),
        save=lambda f, choices: services.field_save(field=f, choices=choices, by=request.user),
        template="tickets/fields/form.html",
        context={"field": field},
        done="fields:list",
    )


@admin_required(PURPOSE)
@require_POST
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return definition_delete(
        request,
        field=get_object_or_404(TicketField, pk=pk),
        delete=lambda f: services.field_delete(field=f, by=request.user),
        back=reverse("fields:edit", args=[pk]),
        done="fields:list",
    )
