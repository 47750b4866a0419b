"""Pages and endpoints of the mail channel."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import admin_required, agent_required
from support.errors import DomainError
from tickets.downloads import attachment_response
from tickets.mail.inbound import inbound_accept, inbound_retry, inbound_store
from tickets.mail.models import InboundEmail, InboundStatus, OutboundEmail
from tickets.mail.outbound import INTERRUPTED, email_retry
from tickets.mail.parse import parse
from tickets.mail.services import mail_note_confirm, message_mark_reviewed
from tickets.models import Message
from tickets.sanitize import sanitize_html
from tickets.selectors import attachment_get_for_user, ticket_get_for_agent

PURPOSE = _(
    "Inbound mail: messages that failed, were ignored or wait for review, to retry or accept."
)

SECRET_HEADER = "HTTP_X_SWITCHBOARD_SECRET"  # noqa: S105 - a header name


@csrf_exempt
@require_POST
def inbound_email_endpoint(request: HttpRequest) -> HttpResponse:
    """Take one raw MIME message (the request body), authenticated by the shared secret."""
    secret = settings.INBOUND_EMAIL_SECRET
    if not secret:
        raise Http404("Inbound mail over HTTP is not enabled.")
    given = request.META.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"detail": "Wrong or missing X-Switchboard-Secret."}, status=403)
    mailbox = request.GET.get("mailbox") or request.META.get("HTTP_X_SWITCHBOARD_MAILBOX", "")
    limit = settings.INBOUND_EMAIL_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return JsonResponse({"detail": f"At most {limit} bytes are accepted."}, status=413)
    # Read the stream, not request.body: mail with attachments is larger than the form-data
    # limit (DATA_UPLOAD_MAX_MEMORY_SIZE) that request.body enforces.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"detail": f"At most {limit} bytes are accepted."}, status=413)
    try:
        row, created = inbound_store(raw=raw, mailbox=mailbox or "default", source="http")
    except DomainError as exc:
        return JsonResponse({"detail": exc.message}, status=exc.status_code)
    return JsonResponse(
        {"id": row.pk, "message_id": row.message_id_header, "created": created},
        status=202 if created else 200,
    )


@admin_required(PURPOSE)
@require_GET
def inbound_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", InboundStatus.FAILED)
    rows = InboundEmail.objects.defer("raw").select_related("ticket")
    if status in InboundStatus.values:
        rows = rows.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "mail/inbound_list.html",
        {
            "rows": rows[:200],
            "status": status,
            "status_label": InboundStatus(status).label if status else "",
            "statuses": InboundStatus.choices,
        },
    )


@admin_required(PURPOSE)
@require_POST
def inbound_retry_view(request: HttpRequest, inbound_id: int) -> HttpResponse:
    row = get_object_or_404(InboundEmail.objects.defer("raw"), pk=inbound_id)
    try:
        row = inbound_retry(inbound=row)
        row.refresh_from_db()
        messages.success(
            request,
            gettext("Mail %(pk)s processed again: %(row)s.")
            % {"pk": row.pk, "row": row.get_status_display()},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("mail:inbound_list") + "?status=failed")


@admin_required(PURPOSE)
@require_POST
def inbound_accept_view(request: HttpRequest, inbound_id: int) -> HttpResponse:
    row = get_object_or_404(InboundEmail.objects.defer("raw"), pk=inbound_id)
    try:
        row = inbound_accept(inbound=row, by=request.user)
        row.refresh_from_db()
        messages.success(
            request,
            gettext(
                "Mail %(pk)s accepted and processed again as from an unverified sender: %(row)s."
            )
            % {"pk": row.pk, "row": row.get_status_display()},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("back", "")
    if back not in (reverse("status"), reverse("mail:inbound_list")):
        back = reverse("mail:inbound_list") + "?status=review"
    return HttpResponseRedirect(back)


@agent_required
@require_GET
def inbound_original(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """The message as it arrived: full text, untrimmed HTML and the raw source."""
    row = get_object_or_404(InboundEmail, pk=inbound_id)
    if not request.user.is_admin:
        if row.ticket_id is None:
            raise Http404("No such mail.")
        ticket_get_for_agent(agent=request.user, ticket_id=row.ticket_id)
    if request.GET.get("download"):
        response = HttpResponse(row.raw_bytes, content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="mail-{row.pk}.eml"'
        return response
    mail = parse(row.raw_bytes)
    return render(
        request,
        "mail/inbound_original.html",
        {
            "row": row,
            "mail": mail,
            "html": sanitize_html(mail.html) if mail.html else "",
            "raw": row.raw_bytes.decode("utf-8", errors="replace")[:200_000],
        },
    )


@agent_required
@require_GET
def ticket_delivery(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=ticket_id)
    return _delivery(request, ticket)


@agent_required
@require_POST
def outbound_resend(request: HttpRequest, email_id: int) -> HttpResponse:
    email = get_object_or_404(OutboundEmail, pk=email_id, ticket__isnull=False)
    ticket = ticket_get_for_agent(agent=request.user, ticket_id=email.ticket_id)
    error = ""
    try:
        email_retry(email=email, maybe_duplicate=request.POST.get("maybe_duplicate") == "1")
    except DomainError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        # Back to the ticket (not to whatever Referer says: that would be an open redirect).
        return HttpResponseRedirect(reverse("workspace:ticket", kwargs={"ticket_id": ticket.pk}))
    return _delivery(request, ticket, error=error)


# Nouns (the mail a ticket sent), not the buttons of the same words: their own context.
KIND_LABELS = {
    "reply": pgettext_lazy("outbound mail kind", "Reply"),
    "new_ticket": pgettext_lazy("outbound mail kind", "Confirmation"),
    "customer_reply": pgettext_lazy("outbound mail kind", "Reply alert"),
    "assigned": pgettext_lazy("outbound mail kind", "Assignment"),
    "sla_breach": pgettext_lazy("outbound mail kind", "SLA breach"),
    "sla_warning": pgettext_lazy("outbound mail kind", "SLA warning"),
    "csat_survey": pgettext_lazy("outbound mail kind", "Satisfaction survey"),
    "csat_bad_rating": pgettext_lazy("outbound mail kind", "Bad rating alert"),
    "forward": pgettext_lazy("outbound mail kind", "Forward"),
    "mention": pgettext_lazy("outbound mail kind", "Mention"),
    "trigger": pgettext_lazy("outbound mail kind", "Trigger mail"),
}


def delivery_context(ticket) -> dict:
    """What ``tickets/mail/_delivery.html`` needs; a ticket page that includes the partial
    directly adds this to its context (or loads the partial with htmx instead)."""
    emails = list(ticket.outbound_emails.defer("body_text", "body_html")[:50])
    for email in emails:
        email.label = KIND_LABELS.get(email.kind, email.kind.replace("_", " ").capitalize())
        email.maybe_sent = email.last_error == INTERRUPTED
    return {"ticket": ticket, "emails": emails}


def _delivery(request: HttpRequest, ticket, *, error: str = "") -> HttpResponse:
    return render(
        request, "tickets/mail/_delivery.html", {**delivery_context(ticket), "error": error}
    )


@agent_required
@require_POST
def message_reviewed(request: HttpRequest, message_id: int) -> HttpResponse:
    """An agent checked a message from someone outside the ticket: it loses its flag."""
    message = get_object_or_404(Message, pk=message_id)
    ticket_get_for_agent(agent=request.user, ticket_id=message.ticket_id)
    message_mark_reviewed(message=message, by=request.user)
    if request.htmx:
        return render(request, "tickets/mail/_reviewed.html")
    return HttpResponseRedirect(
        reverse("workspace:ticket", kwargs={"ticket_id": message.ticket_id}) + f"#m{message.pk}"
    )


@agent_required
@require_POST
def message_confirm(request: HttpRequest, message_id: int) -> HttpResponse:
    """The agent an unverified reply from mail claims to be from confirms it: it is published as
    their reply (and mailed). Anyone else gets 403 with the reason."""
    message = get_object_or_404(Message, pk=message_id)
    ticket_get_for_agent(agent=request.user, ticket_id=message.ticket_id)
    try:
        mail_note_confirm(message=message, by=request.user)
    except DomainError as exc:
        if exc.status_code == 403:
            return HttpResponse(exc.message, status=403, content_type="text/plain")
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("Confirmed: your reply is published and mailed."))
    return HttpResponseRedirect(
        reverse("workspace:ticket", kwargs={"ticket_id": message.ticket_id}) + f"#m{message.pk}"
    )


@login_required
@require_GET
def attachment(request: HttpRequest, attachment_id) -> HttpResponse:
    """An attachment (or an inline image of a mail) for whoever may read its message."""
    attachment = attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment, inline=True)
