"""Admin pages for organization and customer fields (``customers.fields``), beside the ticket
fields: the list of both, and a form per field."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required
from customers import fields as profile
from customers.models import ProfileField
from support.errors import DomainError
from tickets.fields.forms import ProfileFieldForm


@admin_required
def profile_field_list(request: HttpRequest) -> HttpResponse:
    fields = list(ProfileField.objects.prefetch_related("choices"))
    groups = [
        (target, label, [f for f in fields if f.applies_to == target])
        for target, label in (
            (ProfileField.Target.ORGANIZATION, "Organization fields"),
            (ProfileField.Target.CUSTOMER, "Customer fields"),
        )
    ]
    return render(
        request, "tickets/fields/profile_list.html", {"groups": groups, "nav_current": "fields"}
    )


@admin_required
def profile_field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    field = get_object_or_404(ProfileField, pk=pk) if pk else None
    initial = {}
    if field is None and request.GET.get("for") in ProfileField.Target.values:
        initial["applies_to"] = request.GET["for"]
    form = ProfileFieldForm(request.POST or None, instance=field, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = profile.profile_field_save(
                field=form.save(commit=False), choices=form.choice_list(), by=request.user
            )
        except DomainError as exc:
            where = exc.field if exc.field in form.fields else None
            if exc.field == "choices":
                where = "choices_text"
            form.add_error(where, exc.message)
        else:
            messages.success(request, f"Saved the field “{saved.label}”.")
            return redirect("fields:profile_list")
    return render(
        request,
        "tickets/fields/profile_form.html",
        {"form": form, "field": field, "nav_current": "fields"},
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def profile_field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(ProfileField, pk=pk)
    try:
        profile.profile_field_delete(field=field, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("fields:profile_edit", pk=pk)
    messages.success(request, f"Deleted the field “{field.label}”.")
    return redirect("fields:profile_list")
