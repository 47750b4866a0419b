"""The ticket status state machine: pure rules, no database.

new ──► open ◄──► pending ◄──► on_hold
 │        │          │            │
 └────────┴──────────┴────────────┴──► solved ──► closed (final)
                                         │
                                         └──► open (reopened)
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from support.errors import InvalidChange
from tickets.models import Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# What a customer's public reply does to the status (statuses not listed stay as they are).
ON_CUSTOMER_REPLY: dict[str, str] = {
    Status.PENDING: Status.OPEN,
    Status.ON_HOLD: Status.OPEN,
    Status.SOLVED: Status.OPEN,
}


def label(status: str) -> str:
    return Status(status).label.lower()


def can_transition(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, frozenset())


def check_transition(old: str, new: str) -> None:
    """Raise ``InvalidChange`` with a readable sentence when ``old → new`` is not allowed."""
    if new not in Status.values:
        raise InvalidChange(
            _("%(new)s is not a ticket status.") % {"new": repr(new)}, field="status"
        )
    if old == new:
        raise InvalidChange(
            _("The ticket is already %(old)s.") % {"old": label(old)}, field="status"
        )
    if old == Status.CLOSED:
        raise InvalidChange(
            _("A closed ticket can't be changed; open a follow-up ticket instead."), field="status"
        )
    if new == Status.NEW:
        raise InvalidChange(_("A ticket can't be set back to new."), field="status")
    if new == Status.CLOSED and old != Status.SOLVED:
        raise InvalidChange(_("Only a solved ticket can be closed."), field="status")
    if not can_transition(old, new):
        raise InvalidChange(
            _("A %(old)s ticket can't be set to %(new)s.") % {"old": label(old), "new": label(new)},
            field="status",
        )
