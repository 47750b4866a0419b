"""The workspace's chrome in the agent's language: the layout, navigation, queue page and ticket
page in German or Spanish for an agent who chose it (Settings → Your language), English for the
others, the browser's language for "from the browser"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_an_agent_chooses_german_and_the_workspace_follows(signed_in, agent, team):
    response = signed_in.post(reverse("workspace:language"), {"locale": "de"})
    assert response.status_code == 302
    assert User.objects.get(pk=agent.pk).locale == "de"
    saved = signed_in.get(response["Location"]).content.decode()
    assert "Ihre Sprache ist gespeichert." in saved
    assert '<option value="de" selected lang="de">Deutsch</option>' in saved
    queue = signed_in.get(reverse("workspace:queue", args=["all"])).content.decode()
    for german in ("Meine offenen Tickets", "Neues Ticket", "Wissensdatenbank", "Abmelden",
                   "Filtern und speichern", "Letzte Änderung", "Tastenkürzel"):  # fmt: skip
        assert german in queue, german
    assert "My open tickets" not in queue and "Filter and save" not in queue
    ticket = factories.TicketFactory(team=team)
    page = signed_in.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "Anfragende Person" in page and "Weitere Tickets" in page and "Verlauf" in page
    for german in ("Öffentliche Antwort", "Interne Notiz", "Senden und als gelöst markieren",
                   "Beobachter", "Zusammenführen in …", "Schlagwort hinzufügen"):  # fmt: skip
        assert german in page, german
    assert "Public reply" not in page and "Send and set solved" not in page


def test_the_queue_list_and_its_plural_forms(client, team):
    german = factories.AgentFactory(teams=[team], locale="de")
    spanish = factories.AgentFactory(teams=[team], locale="es")
    factories.TicketFactory(team=team)
    client.force_login(german)
    html = client.get(reverse("workspace:queue", args=["all"])).content.decode()
    assert "1 angezeigt" in html and "Alle auswählen" in html and "pro Seite:" in html
    client.force_login(spanish)
    html = client.get(reverse("workspace:queue", args=["all"])).content.decode()
    assert "1 mostrado ·" in html
    factories.TicketFactory(team=team)
    html = client.get(reverse("workspace:queue", args=["all"])).content.decode()
    assert "2 mostrados ·" in html and "Seleccionar todos" in html
    empty = client.get(reverse("workspace:queue", args=["pending"])).content.decode()
    assert "No hay tickets aquí. Bien." in empty


def test_spanish_and_english_agents_each_read_their_own(client, team):
    spanish = factories.AgentFactory(teams=[team], locale="es")
    english = factories.AgentFactory(teams=[team], locale="en")
    client.force_login(spanish)
    html = client.get(reverse("workspace:queue", args=["all"])).content.decode()
    assert "Mis tickets abiertos" in html and "Todos los tickets" in html
    client.force_login(english)
    html = client.get(
        reverse("workspace:queue", args=["all"]), headers={"accept-language": "de"}
    ).content.decode()
    assert "My open tickets" in html and "Meine offenen Tickets" not in html


def test_from_the_browser_follows_accept_language(signed_in, agent):
    signed_in.post(reverse("workspace:language"), {"locale": ""})
    assert User.objects.get(pk=agent.pk).locale == ""
    html = signed_in.get(
        reverse("workspace:queue", args=["all"]), headers={"accept-language": "es"}
    ).content.decode()
    assert "Mis tickets abiertos" in html


def test_a_language_we_do_not_offer_is_a_form_error(signed_in, agent):
    response = signed_in.post(reverse("workspace:language"), {"locale": "fr"})
    assert response.status_code == 400
    assert "Choose one of the languages offered." in response.content.decode()
    assert User.objects.get(pk=agent.pk).locale == "en"


def test_customers_and_visitors_cannot_open_it(client):
    url = reverse("workspace:language")
    assert client.get(url).status_code in (302, 403, 404)
    client.force_login(factories.CustomerUserFactory())
    assert client.post(url, {"locale": "de"}).status_code in (302, 403, 404)
