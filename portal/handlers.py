"""What the portal does when a ticket changed: each handler runs after the change committed
(``support.events``) and may run twice, so its mail carries a ``dedupe_key``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.services import portal_mail_queue
from support.events import subscribe
from support.i18n import language_for
from tickets.mail.notify import confirmation_articles
from tickets.models import Channel, EventKind, TicketEvent


@subscribe(EventKind.CREATED)
def mail_portal_receipt(event: TicketEvent) -> None:
    """A customer filed a ticket in the portal: mail them its reference and where to follow it."""
    ticket, customer = event.ticket, event.actor_customer
    if ticket.channel != Channel.PORTAL or customer is None:
        return  # filed elsewhere, or by an agent on the customer's behalf
    url = settings.SITE_URL + reverse("portal:ticket", args=[ticket.pk])
    language = language_for(customer.locale)
    articles = confirmation_articles(ticket, language)
    with translation.override(language):
        portal_mail_queue(
            kind="portal_ticket_received",
            to=customer.email,
            template="received",
            context={"ticket": ticket, "customer": customer, "url": url, "articles": articles},
            subject=_("[%(ref)s] We got your request: %(subject)s")
            % {"ref": ticket.reference, "subject": ticket.subject},
            ticket=ticket,
            dedupe_key=f"portal-received:{ticket.pk}",
        )
