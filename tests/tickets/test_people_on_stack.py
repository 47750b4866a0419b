"""Customer profiles on the real processes (gunicorn, worker, beat; ``tests/stack.py``): from a
ticket's sidebar an agent opens the requester's profile, corrects their phone, finds their
duplicate contact by name, reads the preview and merges it; the duplicate's ticket now shows the
requester, with the change in its timeline."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.models import Status, Ticket

pytestmark = [pytest.mark.browser]


def test_agent_edits_a_profile_and_merges_a_duplicate(browser, stack):
    team = factories.TeamFactory(name="Billing")
    agent = factories.AgentFactory(name="Dana Reyes", email="dana@staff.example.com", teams=[team])
    org = factories.OrganizationFactory(name="Acme Robotics")
    pat = factories.CustomerFactory(email="pat@acme.example", name="Pat Lee", organization=org)
    twin = factories.CustomerFactory(email="pat.lee@gmail.example", name="Pat Lee (home)")
    ticket = factories.TicketFactory(
        team=team, requester=pat, subject="Invoice shows the wrong VAT", status=Status.OPEN
    )
    old = factories.TicketFactory(
        team=team, requester=twin, subject="Login from home fails", status=Status.OPEN
    )
    base = stack.start()

    page = stack.sign_in(browser, agent, viewport=DESKTOP)
    page.goto(f"{base}/agent/tickets/{ticket.pk}/")
    page.locator(".ticket-side").get_by_role("link", name="Pat Lee").click()
    page.get_by_role("heading", name="Pat Lee", level=1).wait_for()
    assert page.get_by_role("link", name=f"#{ticket.pk} Invoice shows the wrong VAT").count() == 1
    page.get_by_label("Phone").fill("+49 30 555 0100")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Contact saved.").wait_for()
    assert page.get_by_label("Phone").input_value() == "+49 30 555 0100"
    assert_accessible(page)

    page.get_by_role("link", name="Merge another contact into this one…").click()
    page.get_by_label("Find the contact to merge in: name or email address").fill("gmail")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Pat Lee (home)").click()
    preview = page.locator(".merge-preview")
    preview.get_by_text("1 ticket moves to Pat Lee").wait_for()
    assert Ticket.objects.get(pk=old.pk).requester_id == twin.pk  # the preview changed nothing
    assert_accessible(page)
    page.get_by_role("button", name="Merge pat.lee@gmail.example into this contact").click()
    page.get_by_text("pat.lee@gmail.example was merged into Pat Lee.").wait_for()
    page.get_by_role("link", name=f"#{old.pk} Login from home fails").click()
    page.wait_for_url(re.compile(rf"/agent/tickets/{old.pk}/$"))
    page.get_by_text(
        "changed the requester from pat.lee@gmail.example to pat@acme.example"
    ).first.wait_for()
    assert Ticket.objects.get(pk=old.pk).requester_id == pat.pk

    # The organization's page lists Pat and both tickets; on a phone too.
    phone = stack.sign_in(browser, agent, viewport=PHONE)
    phone.goto(f"{base}/agent/people/organizations/{org.pk}/")
    phone.get_by_role("heading", name="Acme Robotics", level=1).wait_for()
    assert phone.get_by_role("link", name="Pat Lee").count() == 1
    assert_accessible(phone)
