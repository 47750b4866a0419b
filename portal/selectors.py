"""Portal reads. Each goes through ``tickets.selectors`` so the customer's reach is checked on the
server; anything out of reach is "not found", whether it exists or not."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from customers.models import Customer
from tickets.models import Status, Ticket
from tickets.selectors import tickets_visible_to

SOLVED_STATUSES = (Status.SOLVED, Status.CLOSED)

# What a status means to the person waiting on it.
PLAIN_STATUS = {
    Status.NEW: _("We're on it"),
    Status.OPEN: _("We're on it"),
    Status.ON_HOLD: _("We're on it"),
    Status.PENDING: _("Waiting for you"),
    Status.SOLVED: _("Solved"),
    Status.CLOSED: _("Solved"),
}


def plain_status(status: str) -> str:
    return str(PLAIN_STATUS.get(status, status))


def customer_of(user: User) -> Customer | None:
    if not user.is_authenticated or not user.is_customer:
        return None
    return getattr(user, "customer", None)


def portal_tickets(*, user: User, tab: str = "open") -> QuerySet[Ticket]:
    """The customer's tickets (their organization's too for a manager), the newest change they
    can see first: a note or an assignment doesn't move a ticket (``public_updated_at``)."""
    tickets = tickets_visible_to(user).select_related("requester")
    if tab == "solved":
        tickets = tickets.filter(status__in=SOLVED_STATUSES)
    else:
        tickets = tickets.exclude(status__in=SOLVED_STATUSES)
    return tickets.order_by("-public_updated_at", "-id").only(
        "id", "subject", "status", "public_updated_at", "requester__name", "requester__email"
    )
