"""Deflection against the real processes (gunicorn, worker and beat on the embedded broker), in
Chromium: a signed-in customer starts a request, sees a suggested article while typing the
subject, opens it and leaves without submitting — one deflected request. A second customer sees
the same suggestion, files anyway, and the request records what was shown."""

from __future__ import annotations

import re

import pytest

from kb import services
from kb.models import DeflectionSession
from tests import factories
from tests.a11y import PHONE, assert_accessible
from tickets.models import Ticket

pytestmark = [pytest.mark.browser]


def _sign_in(browser, stack, user, viewport):
    page = stack.sign_in(browser, user, viewport=viewport)
    page.wait_for_url(re.compile(r"/portal/"))
    return page


def test_a_customer_reads_a_suggested_article_and_leaves_one_deflection(browser, stack):
    admin = factories.AdminFactory()
    section = factories.KbSectionFactory(name="Data in and out")
    article = services.article_save(
        by=admin,
        section=section,
        title="Export your data to CSV",
        summary="Download projects, documents and members as CSV files.",
        body="1. Go to **Settings → Data → Export**.\n2. Click **Start export**.",
        tags="export, csv",
    )
    services.article_publish(article=article, by=admin)
    hidden = services.article_save(
        by=admin, section=section, title="Export incidents playbook", body="export", internal=True
    )
    services.article_publish(article=hidden, by=admin)
    reader = factories.CustomerUserFactory()
    filer = factories.CustomerUserFactory()
    base = stack.start()

    page = _sign_in(browser, stack, reader, PHONE)
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Subject").press_sequentially("Can't find the export button", delay=30)
    suggestions = page.locator("#kb-suggestions")
    link = suggestions.get_by_role("link", name="Export your data to CSV")
    link.wait_for(timeout=10_000)
    assert suggestions.get_by_text("Export incidents playbook").count() == 0
    assert_accessible(page)
    link.click()
    page.get_by_role("heading", name="Export your data to CSV", level=1).wait_for()
    page.context.close()  # leaves without submitting

    session = DeflectionSession.objects.get(customer=reader.customer)
    assert session.deflected and list(session.opened.all()) == [article]
    assert session.submitted_at is None

    page = _sign_in(browser, stack, filer, PHONE)
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Subject").press_sequentially("Export to CSV fails", delay=30)
    page.locator("#kb-suggestions").get_by_role("link", name="Export your data to CSV").wait_for()
    page.get_by_label("Description").fill("The export never finishes.")
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="We got your request").wait_for()
    page.context.close()

    filed = DeflectionSession.objects.get(customer=filer.customer)
    assert filed.ticket == Ticket.objects.get(subject="Export to CSV fails")
    assert not filed.deflected and list(filed.shown.all()) == [article]
    deflected = [s for s in DeflectionSession.objects.all() if s.deflected]
    assert deflected == [session]
