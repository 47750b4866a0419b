"""The rest of the workspace in the agent's language (issue 16's last item): the other apps'
panels on the ticket page and their htmx partials, the queue's sort description, the SLA pages,
every admin page, the words of the workspace's scripts (``/jsi18n/<lang>.js``), and a walk of
every agent page of the site map as a German admin that fails on any long English sentence of
the catalog left on a page. ``tests/support/test_translations.py`` holds the templates and
scripts to the catalog (the class of bug); this holds the pages to what a German agent reads."""

from __future__ import annotations

import re
from email.utils import make_msgid
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from support import i18n_catalog, js_catalog
from tests import factories
from tests.support.site_map import ADMIN, EMAILS, build_site, pages_for
from tickets.choices import Status as TicketStatus
from tickets.mail.models import OutboundEmail, OutboundStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_admin(client, team):
    admin = factories.AdminFactory(teams=[team], locale="de")
    client.force_login(admin)
    return admin


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_ticket_pages_panels_and_their_partials_are_german(client, team):
    agent = factories.AgentFactory(teams=[team], locale="de")
    ticket = factories.TicketFactory(team=team)
    OutboundEmail.objects.create(
        kind="reply", ticket=ticket, from_email="s@x", to=["ada@example.org"], subject="Re: x",
        body_text="b", message_id_header=make_msgid(), status=OutboundStatus.PENDING,
    )  # fmt: skip
    client.force_login(agent)
    page = _page(client, reverse("workspace:ticket", args=[ticket.pk]))
    for german in (
        "Produkt-Feedback", "Mit einem bestehenden Eintrag verknüpfen", "Nicht angegeben",
        "Artikel zum Senden suchen", "Artikel aus diesem Ticket erstellen",
        "Kundenzufriedenheit", "Keine Umfrage, bis das Ticket gelöst ist.",
        "E-Mail-Zustellung",
    ):  # fmt: skip
        assert german in page, german
    for english in ("Link to an existing item", "Search articles to send", "No survey until"):
        assert english not in page, english
    delivery = _page(client, reverse("mail:ticket_delivery", args=[ticket.pk]))
    assert "ausstehend" in delivery and "Antwort an ada@example.org" in delivery
    lookup = _page(client, reverse("kb_agent:lookup") + "?kb_q=zz")
    assert "Kein veröffentlichter Artikel passt." in lookup
    search = _page(client, reverse("feedback:ticket_links_search", args=[ticket.pk]) + "?q=zz")
    assert "Kein Eintrag passt zu „zz“. Legen Sie unten einen an." in search


def test_a_mail_not_sent_yet_is_not_a_pending_ticket():
    """In German a ticket waiting for the customer is "Wartend"; a mail not sent yet is
    "Ausstehend" (its own context), as is a webhook delivery not made yet."""
    from integrations.models import DeliveryStatus

    with translation.override("de"):
        assert str(TicketStatus.PENDING.label) == "Wartend"
        assert str(OutboundStatus.PENDING.label) == "Ausstehend"
        assert str(DeliveryStatus.PENDING.label) == "Ausstehend"
    with translation.override("es"):
        assert str(OutboundStatus.PENDING.label) == "Pendiente de envío"


def test_the_sort_description_and_the_sla_tables_are_german(client, team, german_admin):
    factories.TicketFactory(team=team)
    queue = _page(client, reverse("workspace:queue", args=["all"]))
    assert "Zuletzt aktualisierte zuerst" in queue and "Most recently updated" not in queue
    oldest = _page(client, reverse("workspace:queue", args=["all"]) + "?sort=created")
    assert "Älteste zuerst" in oldest
    at_risk = _page(client, reverse("sla:at_risk"))
    for german in ("Gefährdet", "Verletzt", "Uhr", "Richtlinie", "Zuletzt verletzte zuerst."):
        assert german in at_risk, german
    assert ">Clock<" not in at_risk and ">Policy<" not in at_risk


@pytest.mark.parametrize(
    ("url", "german", "english"),
    [
        (("staff:teams", []), "Neues Team", "New team"),
        (("staff:users", []), "Jemanden einladen", "Invite someone"),
        (("staff:branding", []), "Erscheinungsbild speichern", "Save branding"),
        (("staff:mail_templates", []), "Benachrichtigungen und ihre Vorlagen", "Notifications"),
        (("automation:overview", []), "Routing, Trigger und Automatisierungen", "New rule"),
        (("automation:new", ["triggers"]), "Neuer Trigger", "Add condition"),
        (("macros:list", []), "Neues Makro", "New macro"),
        (("sla:overview", []), "Geschäftskalender", "Business calendars"),
        (("sla:policy_new", []), "Neue SLA-Richtlinie", "Escalation"),
        (("sla:calendar_new", []), "Neuer Geschäftskalender", "Weekly opening hours"),
        (("fields:list", []), "Neues Feld", "Facts your team records"),
        (("fields:form_list", []), "Neues Formular", "Named sets of fields"),
        (("fields:profile_list", []), "Neues Organisationsfeld", "New customer field"),
        (("products:list", []), "Neues Produkt", "No products yet."),
        (("webhooks", []), "Neuer Webhook", "Switchboard POSTs"),
        (("assignment:settings", []), "Max. offene Tickets", "Return tickets of agents"),
        (("mail:inbound_list", []), "Keine E-Mails mit Status „fehlgeschlagen“.", "No failed"),
        (("status", []), "Fehlgeschlagene ausgehende E-Mails", "Failed outgoing mail"),
        (("workspace:canned_list", []), "Neuer Textbaustein", "New response"),
    ],
)
def test_every_admin_page_is_german(client, german_admin, url, german, english):
    name, args = url
    html = _page(client, reverse(name, args=args))
    assert german in html, german
    assert english not in html, english


def test_the_scripts_words_come_from_a_cached_catalog_in_the_agents_language(client, team):
    agent = factories.AgentFactory(teams=[team], locale="de")
    client.force_login(agent)
    html = _page(client, reverse("workspace:queue", args=["all"]))
    tag = f'<script src="/jsi18n/de.js?v={js_catalog.version()}" defer></script>'
    assert tag in html and html.index(tag) < html.index("js/workspace.js")
    # CSP: no script on the page without a src or the request's nonce.
    for script in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in script or "nonce=" in script, script
    response = client.get(f"/jsi18n/de.js?v={js_catalog.version()}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    script = response.content.decode()
    assert '"Entwurf gespeichert"' in script and "Sammelaktionen" in script
    assert "django.pluralidx" in script
    stale = client.get("/jsi18n/de.js?v=old")
    assert stale["Cache-Control"] == "public, max-age=300"
    assert "Borrador guardado" in client.get("/jsi18n/es.js").content.decode()
    assert "Entwurf" not in client.get("/jsi18n/en.js").content.decode()
    assert client.get("/jsi18n/fr.js").status_code == 404


def test_a_changed_word_gets_a_new_catalog_address(tmp_path, settings):
    (tmp_path / "de" / "LC_MESSAGES").mkdir(parents=True)
    mo = tmp_path / "de" / "LC_MESSAGES" / "djangojs.mo"
    mo.write_bytes(i18n_catalog.compiled("de", domain="djangojs"))
    settings.LOCALE_PATHS = [tmp_path]
    js_catalog.version.cache_clear()
    try:
        before = js_catalog.version()
        mo.write_bytes(mo.read_bytes() + b"\0")
        js_catalog.version.cache_clear()
        assert js_catalog.version() != before
    finally:
        js_catalog.version.cache_clear()


def _long_english_sentences(language: str) -> set[str]:
    """The catalog's sentences of four words or more that the language translates differently:
    on a page in that language, one of them means a string reached it without its translation."""
    return {
        message.id
        for message in i18n_catalog.read(language)
        if isinstance(message.id, str)
        and "%" not in message.id
        and "<" not in message.id
        and len(message.id.split()) >= 4
        and message.string
        and message.string != message.id
    }


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|code|pre|kbd)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(text).split())


@pytest.mark.parametrize("language", ["de", "es"])
def test_every_agent_page_of_the_site_map_reads_in_the_admins_language(client, language):
    site = build_site()
    User.objects.filter(email=EMAILS[ADMIN]).update(locale=language)
    client.force_login(User.objects.get(email=EMAILS[ADMIN]))
    sentences = _long_english_sentences(language)
    problems = []
    for url in pages_for(ADMIN, site):
        if url.startswith(("/portal/", "/help/")) or url == "/":
            continue  # the portal and help center follow the customer or visitor, not the agent
        response = client.get(url)
        if response.status_code != 200:
            continue  # tests/support/test_roles_and_pages.py holds the status codes
        html = response.content.decode()
        if f'<html lang="{language}">' not in html:
            problems.append(f"{url}: not in {language}")
        text = _visible_text(html)
        problems += [f"{url}: {s!r}" for s in sentences if s in text]
    assert not problems, "\n".join(problems)


def test_the_reports_tables_read_in_each_readers_language_from_one_cache(client, team, settings):
    """The dashboard is cached (``REPORTS_CACHE_SECONDS``): once per language, so a German and
    an English reader each get their own words, durations and dates from it."""
    settings.REPORTS_CACHE_SECONDS = 300
    factories.TicketFactory(team=team)
    german = factories.AdminFactory(teams=[team], locale="de")
    english = factories.AdminFactory(teams=[team], locale="en")
    client.force_login(german)
    html = _page(client, reverse("reports:dashboard"))
    for words in ("Antwort- und Lösungszeiten", "Offene Tickets nach Alter", "Unter 1 Tag",
                  "Je Team", "Erstellte und gelöste Tickets pro Tag", "90. Perzentil"):  # fmt: skip
        assert words in html, words
    assert "Response and resolution times" not in html
    client.force_login(english)
    html = _page(client, reverse("reports:dashboard"))
    assert "Response and resolution times" in html and "Under 1 day" in html
    assert "Antwort- und Lösungszeiten" not in html
