from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from customers.models import Customer
from portal import services
from portal.models import LinkPurpose, PendingSubmission, PortalLink
from support import clock
from support.errors import InvalidChange, ValidationFailed
from tests import factories
from tests.portal.conftest import link_path
from tickets.mail.models import OutboundEmail
from tickets.models import Status, Ticket
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _file(name="notes.txt", content=b"hello", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_sign_in_request_queues_one_link_mail_through_the_outbox():
    services.signin_link_request(email="New.Person@Example.org")
    mail = OutboundEmail.objects.get(kind="portal_sign_in")
    assert mail.to == ["new.person@example.org"]
    assert "/portal/sign-in/" in mail.body_text
    assert PortalLink.objects.get().purpose == LinkPurpose.SIGN_IN


def test_sign_in_request_for_an_agent_address_sends_nothing(agent):
    services.signin_link_request(email=agent.email)
    assert not OutboundEmail.objects.exists()
    assert not PortalLink.objects.exists()


def test_confirming_a_link_creates_the_portal_user_and_contact_in_the_domain_organization():
    domain = factories.OrganizationDomainFactory(domain="acme.test")
    services.signin_link_request(email="jo@acme.test")
    user, _next = services.signin_confirm(token=_token(link_path("portal_sign_in", "jo@acme.test")))
    assert user.role == Role.CUSTOMER
    assert user.customer.email == "jo@acme.test"
    assert user.customer.organization == domain.organization
    assert not user.has_usable_password()


def test_confirming_links_the_existing_contact_and_reuses_the_user(portal_user):
    services.signin_link_request(email=portal_user.email)
    user, _next = services.signin_confirm(
        token=_token(link_path("portal_sign_in", portal_user.email))
    )
    assert user == portal_user
    assert User.objects.filter(email=portal_user.email).count() == 1


def test_a_link_works_only_once():
    services.signin_link_request(email="once@example.org")
    token = _token(link_path("portal_sign_in", "once@example.org"))
    services.signin_confirm(token=token)
    with pytest.raises(ValidationFailed, match="already used"):
        services.signin_confirm(token=token)


def test_a_link_expires_after_fifteen_minutes():
    with clock.travel(clock.now() - timedelta(minutes=16)):
        services.signin_link_request(email="late@example.org")
    with pytest.raises(ValidationFailed, match="expired"):
        services.signin_confirm(token=_token(link_path("portal_sign_in", "late@example.org")))
    assert not User.objects.filter(email="late@example.org").exists()


def test_a_tampered_or_wrong_purpose_link_is_refused():
    services.signin_link_request(email="x@example.org")
    token = _token(link_path("portal_sign_in", "x@example.org"))
    with pytest.raises(ValidationFailed, match="not valid"):
        services.signin_confirm(token=token[:-2] + "zz")
    with pytest.raises(ValidationFailed, match="not valid"):
        services.submission_confirm(token=token)


def test_a_held_submission_files_nothing_until_confirmed_then_files_once(
    django_capture_on_commit_callbacks,
):
    submission = services.submission_hold(
        email="stranger@example.org",
        name="Stranger",
        subject="Printer on fire",
        body="Smoke everywhere",
        category="bug",
        attachments=[_file()],
    )
    assert not Ticket.objects.exists()
    assert not Customer.objects.filter(email="stranger@example.org").exists()
    token = _token(link_path("portal_confirm_submission", "stranger@example.org"))

    with django_capture_on_commit_callbacks(execute=True):  # the receipt mail: after commit
        ticket, user = services.submission_confirm(token=token)

    assert ticket.requester.email == "stranger@example.org"
    assert ticket.channel == "portal"
    assert list(ticket.tags.values_list("name", flat=True)) == ["area:bug"]
    assert [a.name for a in ticket.attachments.all()] == ["notes.txt"]
    assert user.customer == ticket.requester
    submission.refresh_from_db()
    assert submission.ticket == ticket
    assert not submission.attachments.exists()
    # One receipt, the portal's (with the link to follow it): not the mail channel's as well.
    assert list(ticket.outbound_emails.values_list("kind", flat=True)) == ["portal_ticket_received"]
    with pytest.raises(ValidationFailed):
        services.submission_confirm(token=token)
    assert Ticket.objects.count() == 1


def test_a_held_submission_checks_attachments_before_storing():
    with pytest.raises(ValidationFailed, match="programs and scripts"):
        services.submission_hold(
            email="a@example.org",
            name="",
            subject="s",
            body="b",
            attachments=[_file("run.exe")],
        )
    assert not PendingSubmission.objects.exists()


def test_submit_rejects_priority_unless_the_setting_allows_it(settings, portal_user):
    customer = portal_user.customer
    with pytest.raises(ValidationFailed, match="priority"):
        services.ticket_submit(customer=customer, subject="s", body="b", priority="urgent")
    settings.PORTAL_ALLOW_PRIORITY = True
    ticket = services.ticket_submit(customer=customer, subject="s", body="b", priority="urgent")
    assert ticket.priority == "urgent"


def test_submit_limits_the_number_of_attachments(settings, portal_user):
    settings.PORTAL_MAX_ATTACHMENTS = 2
    with pytest.raises(ValidationFailed, match="at most 2 files"):
        services.ticket_submit(
            customer=portal_user.customer,
            subject="s",
            body="b",
            attachments=[_file(f"{i}.txt") for i in range(3)],
        )


def test_submit_rejects_an_unknown_category(portal_user):
    with pytest.raises(ValidationFailed, match="product area"):
        services.ticket_submit(customer=portal_user.customer, subject="s", body="b", category="zz")


@pytest.fixture
def solved_ticket(portal_user, agent):
    customer = portal_user.customer
    ticket = services.ticket_submit(customer=customer, subject="Broken", body="It broke")
    ticket_reply(ticket=ticket, body="Fixed", by=agent, status=Status.SOLVED)
    ticket.refresh_from_db()
    return ticket


def test_reply_within_the_window_reopens_the_ticket(solved_ticket, portal_user):
    landed, message = services.customer_reply(
        ticket=solved_ticket, customer=portal_user.customer, body="Not fixed"
    )
    assert landed == solved_ticket and message is not None
    solved_ticket.refresh_from_db()
    assert solved_ticket.status == Status.OPEN


def test_reply_after_the_window_starts_a_linked_follow_up(solved_ticket, portal_user):
    with clock.travel(clock.now() + timedelta(days=15)):
        landed, message = services.customer_reply(
            ticket=solved_ticket, customer=portal_user.customer, body="Broke again"
        )
    assert message is None and landed != solved_ticket
    assert f"follow-up-of:{solved_ticket.pk}" in landed.tags.values_list("name", flat=True)
    assert solved_ticket.reference in landed.subject
    solved_ticket.refresh_from_db()
    assert solved_ticket.status == Status.SOLVED


def test_reply_to_a_closed_ticket_starts_a_follow_up(portal_user):
    # Built as state: workflow.check_transition refuses solved → closed today (foundation bug).
    now = clock.now()
    closed = factories.TicketFactory(
        requester=portal_user.customer, status=Status.CLOSED, solved_at=now, closed_at=now
    )
    landed, _ = services.customer_reply(ticket=closed, customer=portal_user.customer, body="Again")
    assert landed != closed


def test_reopen_only_within_the_window(solved_ticket, portal_user):
    with clock.travel(clock.now() + timedelta(days=15)), pytest.raises(InvalidChange):
        services.customer_reopen(ticket=solved_ticket, customer=portal_user.customer)
    services.customer_reopen(ticket=solved_ticket, customer=portal_user.customer)
    solved_ticket.refresh_from_db()
    assert solved_ticket.status == Status.OPEN


def test_solve_then_solve_again_is_refused(portal_user):
    ticket = services.ticket_submit(customer=portal_user.customer, subject="s", body="b")
    services.customer_solve(ticket=ticket, customer=portal_user.customer)
    assert ticket.status == Status.SOLVED
    with pytest.raises(InvalidChange):
        services.customer_solve(ticket=ticket, customer=portal_user.customer)


def test_set_password_lets_the_customer_use_the_normal_login(portal_user, client):
    services.portal_set_password(user=portal_user, password="a long passphrase 42")
    assert client.login(username=portal_user.email, password="a long passphrase 42")


def test_set_time_zone_updates_contact_and_login(portal_user):
    services.customer_set_time_zone(customer=portal_user.customer, time_zone="Asia/Tokyo")
    portal_user.refresh_from_db()
    assert portal_user.time_zone == "Asia/Tokyo"
    with pytest.raises(ValidationFailed):
        services.customer_set_time_zone(customer=portal_user.customer, time_zone="Mars/Base")


def test_cleanup_drops_unconfirmed_submissions_and_their_files(settings):
    with clock.travel(clock.now() - timedelta(days=8)):
        old = services.submission_hold(
            email="gone@example.org", name="", subject="s", body="b", attachments=[_file()]
        )
    stored = old.attachments.get().file
    fresh = services.submission_hold(email="new@example.org", name="", subject="s", body="b")
    assert services.portal_cleanup() == 1
    assert list(PendingSubmission.objects.all()) == [fresh]
    assert not stored.storage.exists(stored.name)


def test_the_receipt_is_for_tickets_customers_file_in_the_portal_and_is_mailed_once(
    portal_user, agent, django_capture_on_commit_callbacks
):
    """Mailed by the handler of the ticket's ``created`` event: once, however often it runs,
    and not for a ticket an agent files on the portal channel for a customer."""
    from support import events
    from tickets.models import EventKind, TicketEvent
    from tickets.services import ticket_create

    with django_capture_on_commit_callbacks(execute=True):
        mine = services.ticket_submit(customer=portal_user.customer, subject="Help", body="!")
        theirs = ticket_create(
            requester=portal_user.customer, subject="Phoned", body="?", by=agent, channel="portal"
        )
    events.dispatch(TicketEvent.objects.get(ticket=mine, kind=EventKind.CREATED))  # a retry
    receipts = OutboundEmail.objects.filter(kind="portal_ticket_received")
    assert [(r.ticket_id, r.to) for r in receipts] == [(mine.pk, [portal_user.customer.email])]
    assert f"[#{mine.pk}] We got your request: Help" == receipts.get().subject
    assert not theirs.outbound_emails.filter(kind="portal_ticket_received").exists()
