"""Assertions several test modules share."""

from tickets.models import ticket_keyed_models

_KEYS = ("assignee_id", "team_id", "organization_id", "channel")


def assert_ticket_keys_copied() -> None:
    """Every SLA clock and CSAT survey (each ``TicketKeyed`` model) exists and carries exactly
    its ticket's report keys."""
    fields = [f"{prefix}{key}" for key in _KEYS for prefix in ("ticket_", "ticket__")]
    for model in ticket_keyed_models():
        rows = list(model.objects.values_list(*fields))
        assert rows, f"no {model.__name__} rows"
        assert all(row[0::2] == row[1::2] for row in rows), f"{model.__name__}: a stale copy"
