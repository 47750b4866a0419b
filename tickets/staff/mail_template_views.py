"""Notification mail templates: admins only (403 for other roles). A list of kinds × languages,
an edit page with the allowed placeholders and a live preview (htmx), and back to the built-in
text. The writes and every check are in ``tickets.mail.custom``."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import admin_required
from support.errors import DomainError
from tickets.mail import custom
from tickets.mail.models import MailTemplate
from tickets.workspace.views import nav_context

PURPOSE = _(
    "Notification mail templates: the words of the mails customers and agents get, per language."
)


def _kind(kind: str, language: str) -> custom.Kind:
    if kind not in custom.KINDS or language not in custom.LANGUAGES:
        raise Http404("No such notification or language.")
    return custom.KINDS[kind]


@admin_required(PURPOSE)
def template_list(request: HttpRequest) -> HttpResponse:
    own = set(MailTemplate.objects.values_list("kind", "language"))
    rows = [
        {
            "kind": key,
            "label": kind.label,
            "audience": kind.audience,
            "languages": [
                {"code": code, "name": name, "custom": (key, code) in own}
                for code, name in custom.LANGUAGES.items()
            ],
        }
        for key, kind in custom.KINDS.items()
    ]
    context = {"rows": rows, **nav_context(request, current="mail-templates")}
    return render(request, "agent/mail_templates.html", context)


def _preview(kind: str, subject: str, body: str) -> dict:
    try:
        custom.check(kind, subject=subject, body=body)
    except DomainError as exc:
        return {"preview_error": exc.message}
    subject, text, _ = custom.render(subject=subject, body=body, values=custom.SAMPLE)
    # The mail's HTML part carries inline styles (mail clients need them, the page's CSP
    # refuses them): the preview shows the same escaped paragraphs without them.
    return {"preview": {"subject": subject, "text": text, "html": custom.html_paragraphs(text)}}


@admin_required(PURPOSE)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    spec = _kind(kind, language)
    row = MailTemplate.objects.filter(kind=kind, language=language).first()
    values = {
        "subject": row.subject if row else spec.subject,
        "body": row.body if row else spec.body,
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            custom.mail_template_reset(kind=kind, language=language, by=request.user)
            messages.success(request, gettext("Back to the built-in template."))
            return redirect("staff:mail_template", kind=kind, language=language)
        values = {"subject": request.POST.get("subject", ""), "body": request.POST.get("body", "")}
        try:
            custom.mail_template_save(kind=kind, language=language, by=request.user, **values)
        except DomainError as exc:
            errors[exc.field if exc.field in ("subject", "body") else "form"] = exc.message
            status = 400
        else:
            messages.success(
                request, gettext("Template saved; the next mail of this kind uses it.")
            )
            return redirect("staff:mail_template", kind=kind, language=language)
    context = {
        "kind": kind,
        "spec": spec,
        "language": language,
        "language_name": custom.LANGUAGES[language],
        "row": row,
        "values": values,
        "errors": errors,
        **_preview(kind, values["subject"], values["body"]),
        **nav_context(request, current="mail-templates"),
    }
    return render(request, "agent/mail_template.html", context, status=status)


@admin_required(PURPOSE)
@require_POST
def template_preview(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    _kind(kind, language)
    context = _preview(kind, request.POST.get("subject", ""), request.POST.get("body", ""))
    return render(request, "agent/_mail_template_preview.html", context)
