"""Search: reference, subject, message bodies, requester and organization; only visible tickets."""

import pytest
from django.db.models import Value
from django.urls import reverse

from tests import factories
from tickets import services
from tickets.models import TicketSearchDocument
from tickets.workspace import search


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def corpus(team, agent, django_capture_on_commit_callbacks):
    org = factories.OrganizationFactory(name="Globex Corporation")
    alice = factories.CustomerFactory(
        name="Alice Moreau", email="alice@globex.test", organization=org
    )
    with django_capture_on_commit_callbacks(execute=True):
        invoice = services.ticket_create(
            requester=alice, subject="Invoice is wrong", body="The VAT number is missing", team=team
        )
        printer = services.ticket_create(
            requester=factories.CustomerFactory(name="Bob Stone"),
            subject="Printer jams",
            body="Paper jammed in tray two",
            team=team,
        )
        hidden = services.ticket_create(
            requester=alice,
            subject="Invoice for another team",
            body="VAT again",
            team=factories.TeamFactory(),
        )
    return {"invoice": invoice, "printer": printer, "hidden": hidden}


def _found(client, q):
    response = client.get(reverse("workspace:search"), {"q": q})
    assert response.status_code == 200
    return {t.pk for t in response.context["results"]}


def test_search_documents_are_kept_by_the_event_handler(corpus):
    doc = TicketSearchDocument.objects.get(ticket=corpus["invoice"])
    assert "VAT number" in doc.document
    assert "Globex" in doc.document


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("invoice", "invoice"),
        ("VAT", "invoice"),
        ("alice@globex.test", "invoice"),
        ("Globex", "invoice"),
        ("jammed", "printer"),
        ("Bob", "printer"),
    ],
)
def test_one_box_finds_by_every_field_and_never_shows_hidden_tickets(signed_in, corpus, query, key):
    found = _found(signed_in, query)
    assert corpus[key].pk in found
    assert corpus["hidden"].pk not in found


def test_reference_finds_the_ticket(signed_in, corpus):
    assert _found(signed_in, f"#{corpus['printer'].pk}") == {corpus["printer"].pk}


def test_hidden_reference_is_not_found(signed_in, corpus):
    assert _found(signed_in, f"#{corpus['hidden'].pk}") == set()


def test_filters_combine_with_text(signed_in, corpus):
    response = signed_in.get(
        reverse("workspace:queue", args=["all"]), {"q": "invoice", "priority": "urgent"}
    )
    assert response.context["page"].rows == []


def test_search_permissions(client, corpus):
    assert client.get(reverse("workspace:search"), {"q": "x"}).status_code == 302
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("workspace:search"), {"q": "x"}).status_code == 404


def test_snippet_is_split_at_the_highlight_marks():
    text = f"<b>x</b> {search.MARK_START}VAT{search.MARK_END} and {search.MARK_START}tax"
    assert search.snippet_parts(text) == [
        ("<b>x</b> ", False),
        ("VAT", True),
        (" and ", False),
        ("tax", True),
    ]
    assert search.snippet_parts(None) == search.snippet_parts("") == []


def test_snippet_escapes_text_and_keeps_marks(signed_in, corpus, monkeypatch):
    snippet = f"<b>x</b> {search.MARK_START}VAT{search.MARK_END}"
    monkeypatch.setattr(search, "is_postgres", lambda: True)  # the page shows snippets
    monkeypatch.setattr(
        search, "ranked", lambda tickets, text: tickets.annotate(snippet=Value(snippet))
    )
    page = signed_in.get(reverse("workspace:search"), {"q": "invoice"}).content.decode()
    assert '<p class="snippet">&lt;b&gt;x&lt;/b&gt; <mark>VAT</mark></p>' in page


def test_rebuild_all(corpus):
    TicketSearchDocument.objects.all().delete()
    assert search.documents_rebuild_all() == 3
    assert TicketSearchDocument.objects.count() == 3


@pytest.mark.postgres
def test_postgres_full_text_is_ranked_with_highlighted_snippets(signed_in, corpus):
    response = signed_in.get(reverse("workspace:search"), {"q": "jam"})
    results = response.context["results"]
    assert [t.pk for t in results] == [corpus["printer"].pk]
    assert any(hit for _, hit in results[0].snippet_parts)
    assert "<mark>" in response.content.decode()


@pytest.mark.postgres
def test_postgres_search_uses_the_gin_index(corpus):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ticket_search_document_gin'"
        )
        assert "gin" in cursor.fetchone()[0]


def test_words_may_match_different_fields(signed_in, corpus):
    assert corpus["invoice"].pk in _found(signed_in, "invoice globex")
