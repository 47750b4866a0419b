"""Date-time filters take any offset ISO 8601 allows: compared in UTC (PostgreSQL keeps only
offsets within ±15:59; ``+22:38`` was a 500 there), the edges of time included."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "since",
    [
        "1586-07-12T18:08:14.526+22:38",
        "2026-01-01T00:00:00-23:59",
        "0001-01-01T00:00:00+23:00",
        "9999-12-31T23:59:59-23:00",
    ],
)
def test_a_far_offset_is_compared_in_utc(api, agent, team, since):
    ticket = factories.TicketFactory(team=team)
    factories.NoteFactory(ticket=ticket)
    response = api(agent).get(
        f"/api/v1/tickets/{ticket.pk}/messages", {"kind": "note", "created_since": since}
    )
    assert response.status_code == 200, response.json()
    early = not since.startswith("9999")  # the note is from today
    assert len(response.json()["results"]) == (1 if early else 0)
    listed = api(agent).get("/api/v1/tickets", {"created_since": since})
    assert listed.status_code == 200, listed.json()
