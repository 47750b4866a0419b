"""The Branding page: admins only (403 for other roles); the write is
``tickets.staff.branding.branding_update``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.branding import SiteBranding, brand
from accounts.decorators import admin_required
from support.errors import DomainError
from tickets.staff.branding import LOGO_MAX_BYTES, branding_update
from tickets.workspace.views import nav_context

PURPOSE = _(
    "Branding: the site name, logo and colours, and the sender and footer of outgoing mail."
)

FIELDS = ("site_name", "primary_colour", "sender_name", "sender_email", "mail_footer")


@admin_required(PURPOSE)
@require_http_methods(["GET", "POST"])
def branding_page(request: HttpRequest) -> HttpResponse:
    row = SiteBranding.objects.filter(pk=1).first() or SiteBranding()
    values = {name: getattr(row, name) for name in FIELDS}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FIELDS}
        try:
            branding_update(
                by=request.user,
                logo=request.FILES.get("logo"),
                remove_logo=request.POST.get("remove_logo") == "on",
                **values,
            )
        except DomainError as exc:
            errors[exc.field if exc.field in (*FIELDS, "logo") else "form"] = exc.message
            if request.FILES.get("logo") and "logo" not in errors:
                errors["logo_again"] = "Nothing was saved: choose the logo file again."
            status = 400
        else:
            messages.success(
                request, gettext("Branding saved; every page and new mail use it now.")
            )
            return redirect("staff:branding")
    context = {
        "values": values,
        "errors": errors,
        "row": row,
        "brand": brand(),
        "logo_max_kb": LOGO_MAX_BYTES // 1024,
        **nav_context(request, current="branding"),
    }
    return render(request, "agent/staff_branding.html", context, status=status)
