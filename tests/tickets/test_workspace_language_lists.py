"""The workspace's hot lists in the agent's language: the queue's rows and the ticket's timeline
(Jinja2 partials), the names of statuses, priorities, types and channels, the SLA clock and the
timeline's sentences with their dates ("SLA verletzt: Lösung (war fällig Di 14:00)"); at the
same query budget as in English. The API and trigger mail keep their own language rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from support import clock
from tests import factories
from tickets.models import Channel, EventKind, Priority, Status, Ticket, TicketEvent, TicketType
from tickets.sla.selectors import humanize
from tickets.workspace.presentation import ago, event_sentence, when_label

pytestmark = pytest.mark.django_db

# Friday 4 December 2026, 10:00 UTC; DUE is Tuesday 8 December, 14:00 in Berlin.
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
DUE = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_choice_labels_follow_the_active_language_and_values_stay_codes():
    with translation.override("de"):
        assert [str(label) for _v, label in Status.choices] == [
            "Neu", "Offen", "Wartend", "Zurückgestellt", "Gelöst", "Geschlossen",
        ]  # fmt: skip
        assert str(Priority.URGENT.label) == "Dringend"
        assert str(TicketType.INCIDENT.label) == "Störung"
        assert str(Channel.EMAIL.label) == "E-Mail"
    with translation.override("es"):
        assert str(Status.SOLVED.label) == "Resuelto"
        assert str(Priority.LOW.label) == "Baja"
    assert Status.values == ["new", "open", "pending", "on_hold", "solved", "closed"]
    assert str(Status.ON_HOLD.label) == "On hold"


def test_a_tickets_display_names_are_in_the_readers_language(team):
    ticket = factories.TicketFactory(team=team, status="pending", priority="high")
    with translation.override("es"):
        assert ticket.get_status_display() == "Pendiente"
        assert ticket.get_priority_display() == "Alta"
    assert ticket.get_status_display() == "Pending"


def test_times_and_dates_read_in_the_language():
    with clock.travel(NOW), translation.override("de"):
        assert when_label(DUE, BERLIN) == "Di 14:00"
        assert when_label(NOW + timedelta(hours=2), BERLIN) == "heute 13:00"
        assert when_label(NOW - timedelta(days=20), BERLIN) == "14. Nov 11:00"
        assert when_label(NOW + timedelta(days=40), BERLIN) == "13. Jan 2027 11:00"
        assert ago(NOW - timedelta(minutes=5)) == "vor 5 Min."
        assert ago(NOW + timedelta(hours=4)) == "in 4 Std."
        assert humanize(timedelta(hours=3, minutes=20)) == "3 Std. 20 Min."
    with clock.travel(NOW), translation.override("es"):
        assert when_label(DUE, BERLIN) == "mar 14:00"
        assert when_label(NOW - timedelta(days=20), BERLIN) == "14 nov 11:00"
        assert ago(NOW - timedelta(days=2)) == "hace 2 d"
    with clock.travel(NOW):
        assert when_label(DUE, BERLIN) == "Tue 14:00"
        assert ago(NOW - timedelta(minutes=5)) == "5m ago"


def _sla_events(ticket):
    common = {"ticket": ticket, "at": NOW - timedelta(minutes=5)}
    return [
        TicketEvent.objects.create(
            kind=EventKind.SLA_WARNING, field="first_response", old=f"due {DUE.isoformat()}",
            new=f"warning at {DUE.isoformat()}", **common,
        ),
        TicketEvent.objects.create(
            kind=EventKind.SLA_BREACHED, field="resolution", old=f"due {DUE.isoformat()}",
            new=f"breach at {DUE.isoformat()}", **common,
        ),
    ]  # fmt: skip


def test_system_event_sentences_are_localized_with_their_dates(ticket, agent):
    warning, breached = _sla_events(ticket)
    status = TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.STATUS_CHANGED, actor=agent, field="status",
        old="on_hold", new="open", at=NOW,
    )  # fmt: skip
    rule = TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.PRIORITY_CHANGED, field="priority", old="normal",
        new="high", data={"rule": {"kind": "trigger", "id": 7, "name": "VIP"}}, at=NOW,
    )  # fmt: skip
    with clock.travel(NOW), translation.override("de"):
        assert event_sentence(warning, BERLIN) == "SLA gefährdet: erste Antwort fällig Di 14:00"
        assert event_sentence(breached, BERLIN) == "SLA verletzt: Lösung (war fällig Di 14:00)"
        assert event_sentence(status, BERLIN) == (
            f"{agent.display_name} hat den Status von Zurückgestellt auf Offen geändert"
        )
        assert event_sentence(rule, BERLIN) == (
            "Trigger „VIP“ hat die Priorität von Normal auf Hoch geändert"
        )
    with clock.travel(NOW), translation.override("es"):
        assert event_sentence(breached, BERLIN) == "SLA incumplido: resolución (vencía mar 14:00)"
    with clock.travel(NOW):
        assert event_sentence(breached, BERLIN) == "SLA breached: resolution (was due Tue 14:00)"


@pytest.fixture
def german_agent(team):
    return factories.AgentFactory(teams=[team], locale="de", name="Sam Okafor")


def test_the_queue_rows_read_in_german(client, team, german_agent):
    factories.TicketFactory(team=team, status="on_hold", priority="urgent")
    client.force_login(german_agent)
    html = client.get(reverse("workspace:queue", args=["all"])).content.decode()
    rows = html[html.index("<tbody") : html.index("</tbody>")]
    for german in ("Zurückgestellt", "Dringend", "nicht zugewiesen", 'aria-label="Auswählen #'):
        assert german in rows, german
    for english in ("On hold", "Urgent", "unassigned", "Select #"):
        assert english not in rows, english
    # The filters' options are the same names.
    assert ">Zurückgestellt</option>" in html and ">Ungelöst</option>" in html


def test_the_timeline_reads_in_spanish(client, team, ticket):
    spanish = factories.AgentFactory(teams=[team], locale="es", time_zone="Europe/Berlin")
    ticket.status = Status.OPEN
    ticket.save()
    _sla_events(ticket)
    factories.NoteFactory(ticket=ticket, author_user=spanish, body_text="Mirando")
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.TAG_ADDED, actor=spanish, new="vip", at=NOW
    )
    client.force_login(spanish)
    with clock.travel(NOW):
        page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    timeline = page[page.index('<ol class="timeline">') :]
    for spanish_text in (
        "SLA en riesgo: primera respuesta vence mar 14:00",
        "SLA incumplido: resolución (vencía mar 14:00)",
        "añadió la etiqueta «vip»",
        "Nota interna",
        "por Web",
    ):
        assert spanish_text in timeline, spanish_text
    assert "SLA breached" not in timeline and "Internal note" not in timeline


def test_a_german_queue_costs_the_queries_an_english_one_does(
    client, team, german_agent, django_assert_max_num_queries
):
    for _n in range(30):
        factories.TicketFactory(team=team)
    client.force_login(german_agent)
    url = reverse("workspace:queue", args=["all"])
    with django_assert_max_num_queries(12):  # test_workspace_queue's cold budget
        assert client.get(url, {"size": 200}).status_code == 200
    with django_assert_max_num_queries(2):  # and its warm one
        client.get(url, {"size": 200})


def test_the_api_answers_in_english_whatever_the_reader_asks(api, team, german_agent):
    """Labels and sentences in the API are a contract (docs/api.md, *Language*): a German
    agent's token, asking in German, gets them in English, as every other client does."""
    ticket = factories.TicketFactory(team=team)
    Ticket.objects.filter(pk=ticket.pk).update(
        first_response_due_at=clock.now() + timedelta(hours=3)
    )
    client = api(german_agent)
    response = client.get(f"/api/v1/tickets/{ticket.pk}", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "en"
    body = response.json()
    assert body["status"] == "new"
    assert body["sla"]["clock"]["label"] == "first response"
    assert body["sla"]["clock"]["text"].startswith("first response in ")
    bad = client.post("/api/v1/tickets", {}, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert bad.status_code == 400
    assert "This field is required." in str(bad.json())
