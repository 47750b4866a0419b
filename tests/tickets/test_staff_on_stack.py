"""Administration on the real processes (gunicorn, worker, beat; ``tests/stack.py``): an admin
invites an agent from the users page; the worker mails the invitation over SMTP; the agent
follows the link, chooses a password and signs in to the workspace. An agent doesn't get the
users page, and Django's /admin/ stays closed to an admin who is not a superuser."""

from __future__ import annotations

import re

import pytest

from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible

pytestmark = [pytest.mark.browser]

LINK = re.compile(r"https?://\S+")


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_admin_invites_an_agent_who_sets_a_password_and_signs_in(browser, stack):
    team = factories.TeamFactory(name="Billing")
    admin = factories.AdminFactory(name="Ada Admin", email="ada@staff.example.com", teams=[team])
    base = stack.start()

    page = stack.sign_in(browser, admin, viewport=DESKTOP)
    page.goto(f"{base}/agent/")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Users").click()
    page.get_by_role("heading", name="Users", level=1).wait_for()
    assert page.get_by_role("link", name="Django admin").count() == 0  # not a superuser
    page.get_by_label("Email address").fill("nia@staff.example.com")
    page.get_by_label("Name").fill("Nia Okafor")
    page.get_by_label("Billing").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to nia@staff.example.com").wait_for()
    page.get_by_text("invited, no password yet").wait_for()
    assert_accessible(page)
    assert page.goto(f"{base}/admin/").url.startswith(f"{base}/admin/login/")

    invite = stack.wait_for(
        lambda: stack.inbox.to("nia@staff.example.com"), timeout=20, what="the invitation mail"
    )[0]
    (link,) = [u for u in LINK.findall(_text(invite)) if "/password-reset/" in u]
    nia = browser.new_context(viewport=PHONE).new_page()
    nia.goto(link)
    nia.get_by_label("New password", exact=True).fill("correct horse battery 42")
    nia.get_by_label("Repeat it").fill("correct horse battery 42")
    nia.get_by_role("button", name="Save the password").click()
    nia.wait_for_url(re.compile(r"/password-reset/done/"))
    nia.goto(f"{base}/login/")
    nia.fill("#id_username", "nia@staff.example.com")
    nia.fill("#id_password", "correct horse battery 42")
    nia.get_by_role("button", name="Sign in").click()
    nia.wait_for_url(re.compile(r"/agent/"))
    assert nia.get_by_role("link", name="Users").count() == 0  # an agent, not an admin
    assert nia.goto(f"{base}/agent/admin/users/").status == 403
    assert nia.get_by_role("heading", name="This page is for admins").is_visible()
