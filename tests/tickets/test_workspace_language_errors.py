"""Error sentences from the services in the reader's language: a German agent reads a refused
status change, a bad macro and a bad knowledge report filter in German; the API answers the same
mistake in English whoever asks (``ApiLanguageMiddleware``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(client, team):
    agent = factories.AgentFactory(teams=[team], locale="de")
    client.force_login(agent)
    return agent


def test_a_refused_status_change_is_german_on_the_page_and_english_in_the_api(
    client, api, german, team
):
    ticket = factories.TicketFactory(team=team, status=Status.OPEN)
    response = client.post(
        reverse("workspace:bulk"),
        {"ids": [ticket.pk], "action": "status", "status": "closed"},
        follow=True,
    )
    page = response.content.decode()
    assert f"#{ticket.pk}: Nur ein gelöstes Ticket kann geschlossen werden." in page
    assert "Only a solved ticket can be closed." not in page
    answer = api(german).post(
        f"/api/v1/tickets/{ticket.pk}/status", {"status": "closed"}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["fields"] == {"status": ["Only a solved ticket can be closed."]}


def test_a_bad_macro_is_german_on_the_page_and_english_in_the_api(client, api, german):
    response = client.post(reverse("macros:save"), {"title": "Nichts", "active": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ein Makro braucht mindestens eine Aktion." in page
    assert "A macro needs at least one action." not in page
    response = client.post(reverse("macros:save"), {"title": "T", "tags_add": "no way!"})
    assert "ist kein gültiges Schlagwort" in response.content.decode()
    answer = api(german).post(
        "/api/v1/macros", {"title": "T", "actions": {"colour": "red"}}, format="json"
    )
    assert answer.status_code == 400
    # The API's words stay English for a German agent (the schema closes a macro's actions).
    assert answer.json()["error"]["message"] == "The request is invalid: Unknown field."


def test_a_bad_knowledge_report_filter_is_german(client, german):
    response = client.get(reverse("kb_agent:report"), {"start": "2026-03-10", "end": "2026-03-01"})
    page = response.content.decode()
    assert "Von liegt nach Bis." in page and "From is after To." not in page
    response = client.get(reverse("kb_agent:report"), {"days": "999"})
    assert "Tage ist eine ganze Zahl von 1 bis 366." in response.content.decode()


def test_a_flash_message_is_german(client, german, team):
    ticket = factories.TicketFactory(team=team)
    response = client.post(
        reverse("workspace:ticket_send", args=[ticket.pk]),
        {"kind": "note", "body": "Intern geprüft."},
        follow=True,
    )
    page = response.content.decode()
    assert "Notiz hinzugefügt." in page and "Note added." not in page
    response = client.post(
        reverse("workspace:ticket_send", args=[ticket.pk]),
        {"kind": "note", "body": "x", "then": "solved"},
    )
    assert "Eine interne Notiz ändert den Status nicht" in response.content.decode()
