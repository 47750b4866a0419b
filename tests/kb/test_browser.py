"""The help center, the editor and the composer as people use them, in headless Chromium.

Screenshots go to ``$KB_SCREENSHOTS`` when set (docs/img/kb is made from them), else a temp dir.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from kb import services
from kb.models import ArticleSend
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("KB_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page, shots: Path, name: str) -> None:
    """The page at the desktop and the phone size (full page), back at desktop after."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=shots / f"{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)


def signed_in_page(browser, live_server, user, *, viewport=DESKTOP):
    """A page whose browser carries ``user``'s session."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


@pytest.fixture
def help_center(db):
    admin = factories.AdminFactory()
    billing = factories.KbCategoryFactory(
        name="Billing and plans", slug="billing", description="Plans, invoices and refunds."
    )
    account = factories.KbCategoryFactory(
        name="Account and sign-in", slug="account", description="Passwords and single sign-on."
    )
    invoices = factories.KbSectionFactory(category=billing, name="Invoices", slug="invoices")
    signing = factories.KbSectionFactory(category=account, name="Signing in", slug="signing-in")

    def publish(section, title, summary, body, tags="", internal=False):
        article = services.article_save(
            by=admin,
            section=section,
            title=title,
            summary=summary,
            body=body,
            tags=tags,
            internal=internal,
        )
        return services.article_publish(article=article, by=admin)

    return {
        "admin": admin,
        "vat": publish(
            invoices,
            "Add a VAT number to your invoices",
            "Enter your company's VAT ID so it appears on every future invoice.",
            "1. Open **Settings → Billing → Billing details**.\n"
            "2. Enter your **VAT ID**.\n3. Save.",
            tags="invoice, vat",
        ),
        "charged": publish(
            invoices,
            "I was charged twice",
            "Usually a pending authorisation that disappears within days.",
            "Check **Settings → Billing → Invoices** for two paid invoices.",
            tags="invoice, refund",
        ),
        "password": publish(
            signing,
            "Reset your password",
            "Request a reset link; it works for one hour.",
            "1. Click **Forgot password?**\n2. Open the link within one hour.",
            tags="login, password",
        ),
        "internal": publish(
            invoices,
            "Refund approval policy (agents)",
            "Who may approve which refunds.",
            "Refunds over 500 EUR need the team lead's approval on the invoice.",
            tags="refund, invoice",
            internal=True,
        ),
    }


def test_a_visitor_finds_an_article_by_search_and_votes(browser, live_server, help_center, shots):
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(f"{live_server.url}/help/")
    page.get_by_role("heading", name="Help center", level=1).wait_for()
    assert_accessible(page)
    shoot(page, shots, "help-home")

    page.get_by_role("link", name="Billing and plans").click()
    page.get_by_role("heading", name="Invoices").wait_for()
    assert page.get_by_text("Refund approval policy").count() == 0
    assert_accessible(page)
    shoot(page, shots, "help-category")

    page.get_by_label("Search the help center").fill("vat invoice")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/help/search/\?q=vat"))
    hit = page.locator(".kb-hit").first
    assert hit.locator("mark").first.inner_text().lower() in ("vat", "invoice")
    assert_accessible(page)
    shoot(page, shots, "help-search")

    hit.get_by_role("link").click()
    page.get_by_role("heading", name="Add a VAT number to your invoices", level=1).wait_for()
    assert page.title().startswith("Add a VAT number to your invoices")
    description = page.locator("meta[name=description]").get_attribute("content")
    assert description.startswith("Enter your company's VAT ID")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    assert "Billing and plans" in breadcrumb.inner_text()
    assert page.get_by_role("link", name="I was charged twice").is_visible()  # related
    assert_accessible(page)
    shoot(page, shots, "help-article")

    page.get_by_role("button", name="Yes").click()
    page.get_by_text("Thanks for letting us know.").wait_for()
    assert help_center["vat"].votes.get().helpful is True
    assert page.get_by_role("button", name="Yes").get_attribute("aria-pressed") == "true"

    # Readable on a 360 px phone: nothing wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.context.close()


def test_an_internal_article_is_invisible_to_a_customer(browser, live_server, help_center, shots):
    customer = factories.CustomerUserFactory()
    page = signed_in_page(browser, live_server, customer)
    base = live_server.url
    internal = help_center["internal"]

    page.goto(f"{base}/help/c/billing/")
    assert page.get_by_text("Refund approval policy").count() == 0
    page.goto(f"{base}/help/search/?q=refund")
    page.get_by_text("I was charged twice").first.wait_for()
    assert page.get_by_text("Refund approval policy").count() == 0
    response = page.goto(f"{base}/help/articles/en/{internal.slug}/")
    assert response.status == 404

    page.goto(f"{base}/portal/new/")
    page.get_by_label("Subject").press_sequentially("refund approval invoice", delay=20)
    page.locator("#kb-suggestions").get_by_text("I was charged twice").wait_for()
    assert page.locator("#kb-suggestions").get_by_text("Refund approval policy").count() == 0
    assert_accessible(page)
    shoot(page, shots, "portal-new-suggestions")
    page.context.close()


def test_an_agent_inserts_an_article_link_into_a_reply(browser, live_server, help_center, shots):
    team = factories.TeamFactory()
    agent = factories.AgentFactory(name="Sam Agent", teams=[team])
    ticket = factories.TicketFactory(team=team, subject="Need our VAT number on invoices")
    page = signed_in_page(browser, live_server, agent)
    page.goto(f"{live_server.url}/agent/tickets/{ticket.pk}/")

    page.fill("#composer-body", "Hi, here is how:")
    page.get_by_label("Search articles").fill("vat")
    result = page.locator("#kb-lookup-results [data-kb-article]").first
    result.wait_for()
    shoot(page, shots, "agent-composer-kb")
    assert_accessible(page)
    result.get_by_role("button", name="Insert link").click()
    body = page.input_value("#composer-body")
    url = f"{live_server.url}/help/articles/en/{help_center['vat'].slug}/"
    assert body.startswith("Hi, here is how:\n") and url in body

    page.click("#composer button[value='']")
    page.wait_for_selector("text=Reply sent.")
    send = ArticleSend.objects.get()
    assert (send.ticket_id, send.article_id, send.by_id) == (
        ticket.pk,
        help_center["vat"].pk,
        agent.pk,
    )
    page.reload()
    panel = page.locator(".kb-panel")
    assert "Add a VAT number to your invoices" in panel.get_by_role("list").last.inner_text()
    page.context.close()


def test_the_editor_with_live_preview_history_and_diff(browser, live_server, help_center, shots):
    agent = factories.AgentFactory(name="Sam Agent", teams=[factories.TeamFactory()])
    page = signed_in_page(browser, live_server, agent)
    page.goto(f"{live_server.url}/agent/kb/")
    page.get_by_role("heading", name="Knowledge base").wait_for()
    assert_accessible(page)
    shoot(page, shots, "agent-kb-list")

    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title").fill("Close your workspace")
    page.get_by_label("Section").select_option(label="Billing and plans › Invoices")
    page.get_by_label("Body (Markdown)").fill("## Before you close\n\nExport your **data** first.")
    page.locator("#kb-preview strong", has_text="data").wait_for()  # the live preview
    page.get_by_label("Body (Markdown)").press_sequentially(" <script>alert(1)</script>")
    page.wait_for_timeout(700)
    assert "<script" not in page.inner_html("#kb-preview")
    assert_accessible(page)
    shoot(page, shots, "agent-kb-edit")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Article saved.").wait_for()

    page.get_by_label("Body (Markdown)").fill("## Before you close\n\nExport everything first.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Article saved.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Article published.").wait_for()

    # A second article with the same slug is a clear form error.
    page.goto(f"{live_server.url}/agent/kb/new/")
    page.get_by_label("Title").fill("Close it")
    page.get_by_label("Slug").fill("close-your-workspace")
    page.get_by_label("Section").select_option(label="Billing and plans › Invoices")
    page.get_by_label("Body (Markdown)").fill("x")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("already uses the address").wait_for()

    page.goto(f"{live_server.url}/agent/kb/")
    page.get_by_role("link", name="Close your workspace").click()
    page.get_by_role("link", name="History").click()
    page.locator(".kb-diff-add", has_text="Export everything first.").wait_for()
    assert_accessible(page)
    shoot(page, shots, "agent-kb-history")
    page.get_by_role("button", name="Restore").click()
    page.get_by_text("Revision 1 restored.").wait_for()
    page.context.close()
