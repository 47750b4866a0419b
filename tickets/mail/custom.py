"""Notification mail in the admins' own words: a subject and a plain-text body per kind and
language, with ``{{ placeholder }}`` fields from a fixed list and nothing else.

No template code runs from the database: the text is checked to hold only known placeholders,
filled by a plain substitution (values are never re-read as placeholders), and escaped for the
HTML part. Without a row for the kind and language, the built-in template is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext, ngettext

from accounts.models import User
from support.errors import NotPermitted, ValidationFailed
from support.localcache import ProcessCache
from tickets.mail.models import MailTemplate

LANGUAGES = {"en": "English", "de": "German", "es": "Spanish"}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything that looks like template syntax but is not a placeholder is refused, not ignored.
TEMPLATE_SYNTAX = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")

COMMON = {
    "site_name": "The site's name (Branding)",
    "ticket_id": "The ticket's number",
    "ticket_subject": "The ticket's subject",
    "requester_name": "The requester's name",
    "status": "The ticket's status",
    "priority": "The ticket's priority",
}


@dataclass(frozen=True)
class Kind:
    label: str
    audience: str  # "customer" or "agent"
    placeholders: dict[str, str]
    subject: str
    body: str


KINDS: dict[str, Kind] = {
    "new_ticket": Kind(
        "New ticket received",
        "customer",
        {**COMMON, "message": "The request as the customer wrote it"},
        "{{ ticket_subject }}",
        "Hello {{ requester_name }},\n\nwe received your request and opened ticket "
        "#{{ ticket_id }}: {{ ticket_subject }}\n\nSomeone from our team will get back to you. "
        "To add anything, reply to this mail.\n\n{{ site_name }}",
    ),
    "reply": Kind(
        "An agent's reply",
        "customer",
        {**COMMON, "agent_name": "The replying agent", "message": "The reply"},
        "{{ ticket_subject }}",
        "{{ message }}\n\n{{ agent_name }}\n{{ site_name }}\n\n"
        "Ticket #{{ ticket_id }} · reply to this mail to add to the conversation.",
    ),
    "customer_reply": Kind(
        "Customer replied (to agents)",
        "agent",
        {**COMMON, "customer_name": "Who wrote", "message": "What they wrote", "ticket_url": ""},
        "{{ ticket_subject }}",
        "{{ customer_name }} wrote on ticket #{{ ticket_id }}:\n\n{{ message }}\n\n"
        "Open the ticket: {{ ticket_url }}",
    ),
    "assigned": Kind(
        "Ticket assigned (to agents)",
        "agent",
        {
            **COMMON,
            "assignee_name": "The new assignee",
            "assigned_by": "Who assigned it",
            "ticket_url": "",
        },  # fmt: skip
        "{{ ticket_subject }}",
        "Hello {{ assignee_name }},\n\n{{ assigned_by }} assigned ticket #{{ ticket_id }} to you: "
        "{{ ticket_subject }}\nPriority: {{ priority }} · Status: {{ status }}\n\n"
        "Open the ticket: {{ ticket_url }}",
    ),
    "mention": Kind(
        "Mentioned in a note (to agents)",
        "agent",
        {**COMMON, "author_name": "Who wrote the note", "message": "The note", "ticket_url": ""},
        "{{ ticket_subject }}",
        "{{ author_name }} mentioned you in an internal note on ticket #{{ ticket_id }}:\n\n"
        "{{ message }}\n\nOpen the ticket: {{ ticket_url }}",
    ),
}
for _kind in KINDS.values():
    if "ticket_url" in _kind.placeholders:
        _kind.placeholders["ticket_url"] = "The ticket in the workspace"

SAMPLE = {
    "site_name": "Acme Help",
    "ticket_id": "1042",
    "ticket_subject": "Charged twice for invoice 9",
    "requester_name": "Ada Lovelace",
    "status": "Open",
    "priority": "High",
    "message": "My card was charged twice for invoice 9. Could you refund one of them?",
    "agent_name": "Sam Agent",
    "customer_name": "Ada Lovelace",
    "assignee_name": "Sam Agent",
    "assigned_by": "Ann Lead",
    "author_name": "Ann Lead",
    "ticket_url": "https://support.example.com/agent/tickets/1042/",
}


def check(kind: str, *, subject: str, body: str) -> None:
    """Refuse unknown placeholders and any other template syntax, naming what is allowed."""
    allowed = KINDS[kind].placeholders
    for field, text in (("subject", subject), ("body", body)):
        if not text.strip():
            raise ValidationFailed(
                gettext("The %(field)s can't be empty.") % {"field": field}, field=field
            )
        unknown = sorted({n for n in PLACEHOLDER.findall(text) if n not in allowed})
        if unknown:
            raise ValidationFailed(
                ngettext(
                    "Unknown placeholder: %(names)s. Use the ones listed beside the form.",
                    "Unknown placeholders: %(names)s. Use the ones listed beside the form.",
                    len(unknown),
                )
                % {"names": ", ".join("{{ " + n + " }}" for n in unknown)},
                field=field,
            )
        if TEMPLATE_SYNTAX.search(PLACEHOLDER.sub("", text)):
            raise ValidationFailed(
                gettext("Only {{ placeholder }} fields are allowed: no other {{, }}, {% or %}."),
                field=field,
            )
    if "\n" in subject or "\r" in subject:
        raise ValidationFailed(gettext("The subject must be one line."), field="subject")


def fill(text: str, values: dict[str, str]) -> str:
    """One pass of plain substitution: a value containing ``{{ x }}`` stays as typed."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def html_paragraphs(text: str) -> str:
    """The text as escaped HTML paragraphs (``<p>``, ``<br>``): no markup of the admin's."""
    return linebreaks(escape(text))


def render(*, subject: str, body: str, values: dict[str, str], marker: str = "") -> tuple:
    """``(subject, text, html)``; the HTML part escapes every character of text and values."""
    filled_subject = " ".join(fill(subject, values).split())[:200]
    text = fill(body, values)
    html_body = html_paragraphs(text)
    if marker:
        text = f"{marker}\n\n{text}"
        html_body = f'<p style="color: #5f6b7a; font-size: 12px;">{escape(marker)}</p>{html_body}'
    html = (
        '<!doctype html><html><body style="font-family: Arial, Helvetica, sans-serif; '
        f'font-size: 14px; color: #1c2230; line-height: 1.5;">{html_body}</body></html>'
    )
    return filled_subject, text.rstrip() + "\n", html


def _load() -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (t.kind, t.language): (t.subject, t.body)
        for t in MailTemplate.objects.only("kind", "language", "subject", "body")
    }


saved: ProcessCache[dict[tuple[str, str], tuple[str, str]]] = ProcessCache("mail-templates", _load)


def custom_for(kind: str, language: str) -> tuple[str, str] | None:
    """The admins' ``(subject, body)`` for the kind in the language, if they wrote one."""
    return saved.get().get((kind, (language or "en")[:2]))


def _require_admin(by: User) -> None:
    if not by.is_active or not by.is_admin:
        raise NotPermitted(gettext("Only admins can change mail templates."))


@transaction.atomic
def mail_template_save(
    *, kind: str, language: str, subject: str, body: str, by: User
) -> MailTemplate:
    _require_admin(by)
    if kind not in KINDS or language not in LANGUAGES:
        raise ValidationFailed(gettext("No such notification or language."), field="form")
    body = body.replace("\r\n", "\n")
    check(kind, subject=subject, body=body)
    template, _ = MailTemplate.objects.update_or_create(
        kind=kind,
        language=language,
        defaults={"subject": subject.strip(), "body": body.strip(), "updated_by": by},
    )
    return template


@transaction.atomic
def mail_template_reset(*, kind: str, language: str, by: User) -> None:
    """Back to the built-in template."""
    _require_admin(by)
    for template in MailTemplate.objects.filter(kind=kind, language=language):
        template.delete()


def _changed(sender, **kwargs) -> None:
    saved.invalidate()


post_save.connect(_changed, sender=MailTemplate, dispatch_uid="mail-templates-save")
post_delete.connect(_changed, sender=MailTemplate, dispatch_uid="mail-templates-delete")
