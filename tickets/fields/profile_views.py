"""Admin pages for organization and customer fields (``customers.fields``), beside the ticket
fields: the list of both, and a form per field."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.decorators import admin_required
from customers import fields as profile
from customers.models import ProfileField
from tickets.fields.forms import ProfileFieldForm
from tickets.fields.views import definition_delete, definition_edit

PURPOSE = _(
    "Organization and customer fields: the facts kept on each organization and contact "
    "(plan, region, success manager), shown beside their tickets."
)


@admin_required(PURPOSE)
def profile_field_list(request: HttpRequest) -> HttpResponse:
    fields = list(ProfileField.objects.prefetch_related("choices"))
    groups = [
        (target, label, [f for f in fields if f.applies_to == target])
        for target, label in (
            (ProfileField.Target.ORGANIZATION, _("Organization fields")),
            (ProfileField.Target.CUSTOMER, _("Customer fields")),
        )
    ]
    return render(
        request, "tickets/fields/profile_list.html", {"groups": groups, "nav_current": "fields"}
    )


@admin_required(PURPOSE)
def profile_field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    field = get_object_or_404(ProfileField, pk=pk) if pk else None
    initial = {}
    if field is None and request.GET.get("for") in ProfileField.Target.values:
        initial["applies_to"] = request.GET["for"]
    return definition_edit(
        request,
        form=ProfileFieldForm(request.POST or None, instance=field, initial=initial),
        save=lambda f, choices: profile.profile_field_save(
            field=f, choices=choices, by=request.user
        ),
        template="tickets/fields/profile_form.html",
        context={"field": field},
        done="fields:profile_list",
    )


@admin_required(PURPOSE)
@require_POST
def profile_field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    return definition_delete(
        request,
        field=get_object_or_404(ProfileField, pk=pk),
        delete=lambda f: profile.profile_field_delete(field=f, by=request.user),
        back=reverse("fields:profile_edit", args=[pk]),
        done="fields:profile_list",
    )
