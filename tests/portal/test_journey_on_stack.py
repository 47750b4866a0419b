"""The customer's whole journey against the real processes (``manage.py runstack``: gunicorn,
a Celery worker and beat on the embedded broker), in Chromium, with mail over real SMTP.

A customer asks for a sign-in link and follows it from the mail the worker sent; files a request
in the portal; routing gives it the default team; an agent finds it in the team queue, answers
and leaves an internal note; the answer reaches the customer by mail and in the portal, the note
by neither; the agent solves it; beat sends the satisfaction survey and the customer rates the
help from the link in that mail. Every wait has a bound a person would accept.
"""

from __future__ import annotations

import re

import pytest

from feedback.models import CsatSurvey
from tests import factories
from tests.a11y import DESKTOP, PHONE, assert_accessible
from tickets.automation import services as automation
from tickets.models import MessageKind, Status, Ticket

pytestmark = [pytest.mark.browser]

MAIL_WITHIN = 20  # seconds: a sign-in link or an answer that takes longer is a bug a user sees
LINK = re.compile(r"https?://\S+")


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _links(message) -> list[str]:
    return LINK.findall(_text(message))


def test_customer_files_in_the_portal_agent_answers_customer_rates(browser, stack):
    support = factories.TeamFactory(name="Support")
    automation.default_team_set(support)
    agent = factories.AgentFactory(name="Sam Agent", email="sam@staff.example.com", teams=[support])
    stack.extra_env["CSAT_DELAY_MINUTES"] = "0"
    stack.extra_env["CSAT_SWEEP_SECONDS"] = "2"
    base = stack.start()
    inbox = stack.inbox
    email = "pat@example.org"

    # The customer asks for a sign-in link on a phone and follows it from the mail.
    customer = browser.new_context(viewport=PHONE).new_page()
    customer.goto(f"{base}/portal/sign-in/")
    assert_accessible(customer)
    customer.get_by_label("Email address").fill(email)
    customer.get_by_role("button", name="Email me a sign-in link").click()
    customer.get_by_role("heading", name="Check your email").wait_for()
    link_mail = stack.wait_for(
        lambda: inbox.to(email), timeout=MAIL_WITHIN, what="the sign-in link by mail"
    )[0]
    (link,) = [u for u in _links(link_mail) if "/portal/sign-in/" in u]
    assert link.startswith(base)  # the link points at the site that sent it
    customer.goto(link)
    customer.get_by_role("button", name="Sign in").click()
    customer.get_by_role("heading", name="My tickets").wait_for()

    # They file a request; routing gives it the default team.
    customer.get_by_role("link", name="New request").first.click()
    customer.get_by_label("Subject").fill("Export button does nothing")
    customer.get_by_label("Description").fill("When I click Export, nothing happens.")
    assert_accessible(customer)
    customer.get_by_role("button", name="Send request").click()
    customer.get_by_role("heading", name="We got your request").wait_for()
    ticket = Ticket.objects.get(subject="Export button does nothing")
    assert ticket.team == support

    # The agent finds it in the team queue and answers; the note stays internal.
    desk = stack.sign_in(browser, agent, viewport=DESKTOP)
    desk.goto(f"{base}/agent/queues/teams/")
    desk.get_by_role("link", name="Export button does nothing").click()
    desk.wait_for_url(re.compile(rf"/agent/tickets/{ticket.pk}/(\?from=.*)?$"))
    assert_accessible(desk)
    desk.fill("#composer-body", "Thanks Pat! Which browser are you using?")
    desk.click("button[value=pending]")
    desk.wait_for_selector("text=Reply sent.")
    desk.get_by_role("radio", name="Internal note").check()
    desk.fill("#composer-body", "Probably the CSP bug")
    desk.click("#composer button[value='']")
    desk.wait_for_selector(".msg-note >> text=Probably the CSP bug")

    answer = stack.wait_for(
        lambda: [m for m in inbox.to(email) if "Which browser" in _text(m)],
        timeout=MAIL_WITHIN,
        what="the agent's answer by mail",
    )[0]
    assert f"#{ticket.pk}" in answer["Subject"]
    assert not any("CSP bug" in _text(m) for _, m in inbox.messages)

    customer.goto(f"{base}/portal/tickets/{ticket.pk}/")
    customer.get_by_text("Which browser are you using?").wait_for()
    assert customer.get_by_text("Probably the CSP bug").count() == 0
    assert_accessible(customer)

    # Solved: beat sends the survey, and the customer rates from the mail.
    desk.select_option("#f-status", "solved")
    desk.wait_for_selector("text=changed status from pending to solved")
    survey_mail = stack.wait_for(
        lambda: [m for m in inbox.to(email) if "How did we do?" in m["Subject"]],
        timeout=MAIL_WITHIN,
        what="the satisfaction survey by mail",
    )[0]
    good = re.search(r"Good: (\S+)", _text(survey_mail)).group(1)
    assert good.startswith(f"{base}/feedback/csat/")
    customer.goto(good)
    customer.get_by_role("heading", name="How did we do?").wait_for()
    assert_accessible(customer)
    customer.get_by_label("Comment (optional)").fill("Quick and kind.")
    customer.get_by_role("button", name="Confirm my rating").click()
    customer.get_by_text("Thank you! We recorded your answer").wait_for()
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey.rating == "good"
    assert survey.comment == "Quick and kind."
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1
