from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse

from feedback.models import CsatSurvey, Rating
from feedback.services import (
    csat_link,
    csat_send_due,
    csat_survey_answer,
    csat_survey_from_link,
)
from support import clock
from support.errors import InvalidChange, NotFound, NotPermitted
from tests import factories
from tickets.mail.models import OutboundEmail
from tickets.models import Status, Ticket
from tickets.services import ticket_change_status, ticket_set_tags


@pytest.fixture
def solve(agent, django_capture_on_commit_callbacks):
    """Solve a ticket through the service, with its events published as in production."""

    def _solve(ticket: Ticket) -> Ticket:
        with django_capture_on_commit_callbacks(execute=True):
            return ticket_change_status(ticket=ticket, status=Status.SOLVED, by=agent)

    return _solve


def later(minutes: int):
    return clock.travel(clock.now() + timedelta(minutes=minutes))


def csat_mails():
    return OutboundEmail.objects.filter(kind="csat_survey")


def test_solving_a_ticket_schedules_a_survey_after_the_delay(settings, ticket, solve):
    settings.CSAT_DELAY_MINUTES = 30
    before = clock.now()
    solve(ticket)
    survey = CsatSurvey.objects.get(ticket=ticket)
    assert survey.customer == ticket.requester
    assert survey.sent_at is None
    assert before + timedelta(minutes=30) <= survey.due_at <= clock.now() + timedelta(minutes=30)
    assert not csat_mails().exists()


def test_sweep_sends_only_due_surveys_once(settings, ticket, solve):
    settings.CSAT_DELAY_MINUTES = 30
    solve(ticket)
    assert csat_send_due() == 0
    with later(31):
        assert csat_send_due() == 1
        assert csat_send_due() == 0
    mail = csat_mails().get()
    assert mail.to == [ticket.requester.email]
    assert "/feedback/csat/" in mail.body_text
    assert CsatSurvey.objects.get(ticket=ticket).sent_at is not None


def test_spam_and_merged_tickets_get_no_survey(agent, team, solve):
    spam = factories.TicketFactory(team=team)
    ticket_set_tags(ticket=spam, add=["spam"], by=agent)
    solve(spam)
    merged_target = factories.TicketFactory(team=team)
    merged = factories.TicketFactory(team=team, merged_into=merged_target)
    solve(merged)
    assert not CsatSurvey.objects.exists()


def test_ticket_tagged_spam_after_solve_is_not_surveyed(settings, agent, ticket, solve):
    settings.CSAT_DELAY_MINUTES = 5
    solve(ticket)
    ticket_set_tags(ticket=ticket, add=["spam"], by=agent)
    with later(10):
        assert csat_send_due() == 0


def test_reopened_ticket_waits_and_is_asked_once(settings, agent, ticket, solve):
    settings.CSAT_DELAY_MINUTES = 5
    solve(ticket)
    ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    with later(10):
        assert csat_send_due() == 0  # reopened: not asked now
        solve(ticket)
        with later(10):
            assert csat_send_due() == 1
            ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
            solve(ticket)
            with later(10):
                assert csat_send_due() == 0
    assert CsatSurvey.objects.count() == 1
    assert csat_mails().count() == 1


@pytest.fixture
def sent_survey(settings, ticket, solve):
    settings.CSAT_DELAY_MINUTES = 0
    solve(ticket)
    csat_send_due()
    return CsatSurvey.objects.get(ticket=ticket)


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_link_get_shows_the_choice_without_voting(client, sent_survey):
    response = client.get(_path(csat_link(sent_survey, Rating.GOOD)))
    assert response.status_code == 200
    assert b"Confirm my rating" in response.content
    sent_survey.refresh_from_db()
    assert sent_survey.rating == "" and sent_survey.answered_at is None


def test_link_post_records_the_rating_and_comment_can_change(client, sent_survey):
    url = _path(csat_link(sent_survey, Rating.GOOD))
    response = client.post(url, {"comment": "Quick and kind"})
    assert response.status_code == 200
    sent_survey.refresh_from_db()
    assert sent_survey.rating == Rating.GOOD
    assert sent_survey.comment == "Quick and kind"
    first = sent_survey.answered_at
    client.post(url, {"rating": "good", "comment": "Changed my words"})
    sent_survey.refresh_from_db()
    assert sent_survey.comment == "Changed my words"
    assert sent_survey.answered_at == first


def test_expired_link_is_refused(client, sent_survey, monkeypatch, settings):
    url = _path(csat_link(sent_survey, Rating.BAD))
    real = signing.time.time
    monkeypatch.setattr(
        signing.time, "time", lambda: real() + (settings.CSAT_LINK_MAX_AGE_DAYS + 1) * 86400
    )
    assert client.get(url).status_code == 410
    assert client.post(url).status_code == 410
    sent_survey.refresh_from_db()
    assert sent_survey.rating == ""
    with pytest.raises(InvalidChange):
        csat_survey_from_link(signed=url.rstrip("/").rsplit("/", 1)[1])


def test_forged_link_is_not_found(client, sent_survey):
    assert client.get(reverse("feedback:csat_answer", args=["nonsense"])).status_code == 404
    forged = signing.dumps({"t": sent_survey.token, "r": "good"}, salt="other")
    with pytest.raises(NotFound):
        csat_survey_from_link(signed=forged)


def test_bad_rating_notifies_the_team_lead_once(
    sent_survey, team, agent, client, settings, django_capture_on_commit_callbacks
):
    team.lead = agent
    team.save()
    for rating, comment in ((Rating.BAD, "Slow"), (Rating.GOOD, None), (Rating.BAD, None)):
        with django_capture_on_commit_callbacks(execute=True):  # its handler runs after commit
            csat_survey_answer(survey=sent_survey, rating=rating, comment=comment)
    mails = OutboundEmail.objects.filter(kind="csat_bad_rating")
    assert mails.count() == 1
    assert mails.get().to == [agent.email]
    assert "Slow" in mails.get().body_text
    # The link in it opens the ticket in the agent workspace.
    link = next(w for w in mails.get().body_text.split() if w.startswith(settings.SITE_URL))
    client.force_login(agent)
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_good_rating_notifies_nobody(sent_survey, team, agent, django_capture_on_commit_callbacks):
    team.lead = agent
    team.save()
    with django_capture_on_commit_callbacks(execute=True):
        csat_survey_answer(survey=sent_survey, rating=Rating.GOOD)
    assert not OutboundEmail.objects.filter(kind="csat_bad_rating").exists()


def test_imported_bad_rating_notifies_nobody(
    sent_survey, team, agent, django_capture_on_commit_callbacks
):
    team.lead = agent
    team.save()
    with django_capture_on_commit_callbacks(execute=True):
        csat_survey_answer(survey=sent_survey, rating=Rating.BAD, comment="Old", notify=False)
    assert not OutboundEmail.objects.filter(kind="csat_bad_rating").exists()


def test_the_lead_reads_the_comment_given_with_the_bad_rating(
    sent_survey, team, agent, django_capture_on_commit_callbacks
):
    """The mail is queued after the commit: it tells the answer as given, not a later edit."""
    team.lead = agent
    team.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        csat_survey_answer(survey=sent_survey, rating=Rating.BAD, comment="Slow")
    csat_survey_answer(survey=sent_survey, comment="Slow, but they fixed it")
    for callback in callbacks:
        callback()
    body = OutboundEmail.objects.get(kind="csat_bad_rating").body_text
    assert "Slow" in body and "fixed it" not in body


def test_another_customer_cannot_answer(sent_survey):
    with pytest.raises(NotPermitted):
        csat_survey_answer(survey=sent_survey, rating="good", by=factories.CustomerFactory())


# --- portal ---------------------------------------------------------------------------------


@pytest.fixture
def portal_user(db):
    return factories.CustomerUserFactory()


@pytest.fixture
def portal_survey(settings, portal_user, team, solve):
    settings.CSAT_DELAY_MINUTES = 0
    ticket = factories.TicketFactory(team=team, requester=portal_user.customer)
    solve(ticket)
    csat_send_due()
    return CsatSurvey.objects.get(ticket=ticket)


def test_portal_customer_rates_own_ticket(client, portal_user, portal_survey):
    client.force_login(portal_user)
    url = reverse("feedback:csat_portal", args=[portal_survey.ticket_id])
    assert client.get(url).status_code == 200
    client.post(url, {"rating": "bad", "comment": "Meh"})
    portal_survey.refresh_from_db()
    assert (portal_survey.rating, portal_survey.comment) == ("bad", "Meh")


@pytest.mark.parametrize("who", ["anonymous", "other_customer", "agent"])
def test_portal_form_is_only_for_the_customer(client, portal_survey, who, agent):
    url = reverse("feedback:csat_portal", args=[portal_survey.ticket_id])
    if who == "other_customer":
        client.force_login(factories.CustomerUserFactory())
    elif who == "agent":
        client.force_login(agent)
    response = client.get(url)
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_agent_partial_shows_rating_and_comment(sent_survey):
    from django.template import Context, Template

    csat_survey_answer(survey=sent_survey, rating=Rating.BAD, comment="Too slow <b>really</b>")
    html = Template("{% load feedback %}{% ticket_csat ticket %}").render(
        Context({"ticket": sent_survey.ticket})
    )
    assert "csat-bad" in html
    assert "Too slow &lt;b&gt;really&lt;/b&gt;" in html


def test_agent_partial_does_not_promise_a_survey_for_a_reopened_ticket(ticket, solve, agent):
    """Solved, then the customer wrote again: the unsent survey waits for the next solve (the
    sweep skips tickets that aren't solved), so the ticket page must not say it goes out."""
    from django.template import Context, Template

    def panel():
        ticket.refresh_from_db()
        return Template("{% load feedback %}{% ticket_csat ticket %}").render(
            Context({"ticket": ticket})
        )

    solve(ticket)
    assert "Survey goes out" in panel()
    ticket_change_status(ticket=ticket, status=Status.OPEN, by=agent)
    html = panel()
    assert "Survey goes out" not in html
    assert "Survey on hold" in html
    with later(24 * 60):
        assert csat_send_due() == 0  # and indeed nothing goes out while it is open


# --- the ticket's history -------------------------------------------------------------------


def test_rating_and_comment_changes_write_ticket_events(sent_survey):
    from tickets.models import EventKind

    ticket = sent_survey.ticket
    csat_survey_answer(survey=sent_survey, rating=Rating.GOOD)
    csat_survey_answer(survey=sent_survey, rating=Rating.GOOD)  # no change, no event
    csat_survey_answer(survey=sent_survey, rating=Rating.BAD, comment="Slow")
    csat_survey_answer(survey=sent_survey, comment="Slow, but solved")
    events = list(
        ticket.events.filter(kind__in=[EventKind.CSAT_RATED, EventKind.CSAT_COMMENTED])
        .order_by("id")
        .values_list("kind", "old", "new", "actor_customer_id")
    )
    customer = sent_survey.customer_id
    assert events == [
        (EventKind.CSAT_RATED, "", "good", customer),
        (EventKind.CSAT_RATED, "good", "bad", customer),
        (EventKind.CSAT_COMMENTED, "", "Slow", customer),
        (EventKind.CSAT_COMMENTED, "Slow", "Slow, but solved", customer),
    ]


def test_a_long_comment_is_cut_in_the_event_not_in_the_survey(sent_survey):
    from tickets.models import EventKind

    csat_survey_answer(survey=sent_survey, rating=Rating.GOOD, comment="x" * 400)
    event = sent_survey.ticket.events.get(kind=EventKind.CSAT_COMMENTED)
    assert len(event.new) == 255 and event.new.endswith("…")
    sent_survey.refresh_from_db()
    assert len(sent_survey.comment) == 400


def test_agents_see_the_rating_in_the_timeline_and_other_customers_see_nothing(
    client, portal_user, portal_survey, agent
):
    client.force_login(portal_user)
    url = reverse("feedback:csat_portal", args=[portal_survey.ticket_id])
    client.post(url, {"rating": "bad", "comment": "Took a week"})
    ticket_id = portal_survey.ticket_id

    client.force_login(agent)
    page = client.get(reverse("workspace:ticket", kwargs={"ticket_id": ticket_id}))
    assert page.status_code == 200
    assert "rated the ticket Bad" in page.content.decode()
    assert "commented on the rating: “Took a week”" in page.content.decode()

    # The customer's own portal page shows no ticket history; another customer gets a 404.
    client.force_login(portal_user)
    own = client.get(reverse("portal:ticket", args=[ticket_id]))
    assert "rated the ticket" not in own.content.decode()
    client.force_login(factories.CustomerUserFactory())
    assert client.get(reverse("portal:ticket", args=[ticket_id])).status_code == 404
