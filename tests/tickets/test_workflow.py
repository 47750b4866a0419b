import itertools

import pytest

from support.errors import InvalidChange
from tickets import workflow
from tickets.models import Status

LEGAL = {
    (Status.NEW, Status.OPEN),
    (Status.NEW, Status.PENDING),
    (Status.NEW, Status.ON_HOLD),
    (Status.NEW, Status.SOLVED),
    (Status.OPEN, Status.PENDING),
    (Status.OPEN, Status.ON_HOLD),
    (Status.OPEN, Status.SOLVED),
    (Status.PENDING, Status.OPEN),
    (Status.PENDING, Status.ON_HOLD),
    (Status.PENDING, Status.SOLVED),
    (Status.ON_HOLD, Status.OPEN),
    (Status.ON_HOLD, Status.PENDING),
    (Status.ON_HOLD, Status.SOLVED),
    (Status.SOLVED, Status.OPEN),
    (Status.SOLVED, Status.CLOSED),
}
ALL_PAIRS = list(itertools.product(Status.values, Status.values))


@pytest.mark.parametrize(("old", "new"), sorted(LEGAL))
def test_legal_transition_is_allowed(old, new):
    """Each move the state machine draws passes the check."""
    workflow.check_transition(old, new)
    assert workflow.can_transition(old, new)


@pytest.mark.parametrize(("old", "new"), [p for p in ALL_PAIRS if p not in LEGAL])
def test_illegal_transition_raises_a_readable_error(old, new):
    """Every other pair is refused with a sentence, as a conflict (409)."""
    with pytest.raises(InvalidChange) as error:
        workflow.check_transition(old, new)
    assert error.value.status_code == 409
    assert error.value.message.endswith(".")
    assert error.value.field == "status"
    assert not workflow.can_transition(old, new)


def test_closed_is_final():
    assert workflow.TRANSITIONS[Status.CLOSED] == frozenset()
    with pytest.raises(InvalidChange, match="closed ticket can't be changed"):
        workflow.check_transition(Status.CLOSED, Status.OPEN)


def test_unknown_status_is_refused():
    with pytest.raises(InvalidChange, match="is not a ticket status"):
        workflow.check_transition(Status.OPEN, "archived")


def test_customer_reply_reopens_waiting_and_solved_tickets():
    assert workflow.ON_CUSTOMER_REPLY == {
        Status.PENDING: Status.OPEN,
        Status.ON_HOLD: Status.OPEN,
        Status.SOLVED: Status.OPEN,
    }
