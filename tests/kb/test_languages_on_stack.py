"""Languages on the real processes (gunicorn, worker and beat, a real SMTP inbox), in Chromium:
a Spanish visitor finds an article by searching in Spanish; a German customer reads the portal and
the help center in German, files a request and gets the receipt in German with matching German
articles; the language switcher then turns the portal (and the customer's locale) to Spanish."""

from __future__ import annotations

import re

import pytest

from customers.models import Customer
from kb import services
from kb.models import KbSettings
from tests import factories
from tests.a11y import PHONE, assert_accessible

pytestmark = [pytest.mark.browser]
MAIL_WITHIN = 30


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _publish(admin, section, **fields):
    article = services.article_save(by=admin, section=section, **fields)
    return services.article_publish(article=article, by=admin)


def test_a_german_customer_and_a_spanish_visitor_read_in_their_language(browser, stack):
    admin = factories.AdminFactory()
    KbSettings.objects.create(pk=1, confirmation_articles=True)
    section = factories.KbSectionFactory(name="Account and sign-in")
    _publish(admin, section, title="Reset your password", slug="reset-password",
             body="Open **Sign in** and choose *Forgot password*.", tags="password")  # fmt: skip
    _publish(admin, section, title="Passwort zurücksetzen", slug="reset-password", language="de",
             body="Öffnen Sie **Anmelden** und wählen Sie *Passwort vergessen*.")  # fmt: skip
    _publish(admin, section, title="Restablecer la contraseña", slug="reset-password",
             language="es", body="Abre **Iniciar sesión** y elige *Olvidé mi contraseña*.",
             )  # fmt: skip
    customer = factories.CustomerUserFactory(contact__locale="de")
    base = stack.start()

    # A visitor whose browser asks for Spanish: the help center in Spanish, a Spanish search.
    visitor = browser.new_context(locale="es-ES", viewport=PHONE).new_page()
    visitor.goto(f"{base}/help/")
    visitor.get_by_role("heading", name="Centro de ayuda", level=1).wait_for()
    visitor.get_by_label("Buscar en el centro de ayuda").fill("contraseña")
    visitor.get_by_role("button", name="Buscar").click()
    visitor.get_by_role("link", name="Restablecer la contraseña").click()
    visitor.get_by_role("heading", name="Restablecer la contraseña", level=1).wait_for()
    assert visitor.get_by_text("También en:").is_visible()
    assert_accessible(visitor)
    visitor.context.close()

    # The German customer: portal and help center in German whatever the browser says.
    page = stack.sign_in(browser, customer, viewport=PHONE)
    page.wait_for_url(re.compile(r"/portal/"))
    page.get_by_role("link", name="Meine Tickets").wait_for()
    page.goto(f"{base}/help/c/{section.category.slug}/")
    page.get_by_role("link", name="Passwort zurücksetzen").wait_for()
    assert page.get_by_role("link", name="Reset your password").count() == 0
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Betreff").press_sequentially("Passwort vergessen", delay=30)
    page.locator("#kb-suggestions").get_by_role("link", name="Passwort zurücksetzen").wait_for()
    assert_accessible(page)
    page.get_by_label("Beschreibung").fill("Ich komme nicht mehr in mein Konto.")
    page.get_by_role("button", name="Anfrage senden").click()
    page.get_by_role("heading", name="Wir haben Ihre Anfrage erhalten").wait_for()

    receipt = stack.wait_for(
        lambda: [m for m in stack.inbox.to(customer.email) if "Anfrage" in m["Subject"]],
        timeout=MAIL_WITHIN,
        what="the German receipt",
    )[0]
    assert "Wir haben Ihre Anfrage erhalten: Passwort vergessen" in receipt["Subject"]
    body = _text(receipt)
    assert "Diese Artikel beantworten Ihre Frage vielleicht schon" in body
    assert "Passwort zurücksetzen: " in body and "/help/articles/de/reset-password/" in body

    # The switcher: Spanish from now on, kept on the contact (so mail follows).
    page.get_by_label("Sprache").select_option("es")
    page.get_by_role("button", name="Ändern").click()
    page.get_by_role("link", name="Mis tickets", exact=True).wait_for()
    assert Customer.objects.get(pk=customer.customer.pk).locale == "es"
    page.context.close()
