"""Portal pages, and above all isolation: every route checks who is asking, on the server."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from accounts.decorators import agent_required
from portal import services
from portal.models import PendingSubmission
from support import clock
from tests import factories
from tests.portal.conftest import link_path
from tickets.models import Attachment, MessageKind, Status, Ticket
from tickets.services import ticket_note, ticket_reply

pytestmark = pytest.mark.django_db

SECRET_NOTE = "internal-only-note-7f3a"


def _file(name="report.txt", content=b"A's private report"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def a_user(db):
    org = factories.OrganizationFactory(name="Org A")
    return factories.CustomerUserFactory(contact__organization=org)


@pytest.fixture
def b_user(db):
    return factories.CustomerUserFactory(contact__organization=factories.OrganizationFactory())


@pytest.fixture
def a_ticket(a_user, agent):
    """A's ticket with a public reply (with a file) from an agent and an internal note."""
    ticket = services.ticket_submit(
        customer=a_user.customer, subject="A's secret subject", body="body", attachments=[_file()]
    )
    ticket_reply(ticket=ticket, body="Agent answer", by=agent, attachments=[_file("fix.txt")])
    ticket_note(ticket=ticket, body=SECRET_NOTE, by=agent, attachments=[_file("note.txt")])
    return ticket


def _attachment(ticket: Ticket, kind: str = MessageKind.REPLY) -> Attachment:
    return Attachment.objects.filter(ticket=ticket, message__kind=kind).first()


def ticket_routes(ticket: Ticket) -> list[tuple[str, str]]:
    """Every portal route that names a ticket or a file, with its method."""
    return [
        ("get", reverse("portal:ticket", args=[ticket.pk])),
        ("get", reverse("portal:ticket-submitted", args=[ticket.pk])),
        ("post", reverse("portal:reply", args=[ticket.pk])),
        ("post", reverse("portal:solve", args=[ticket.pk])),
        ("post", reverse("portal:reopen", args=[ticket.pk])),
        ("get", reverse("portal:attachment", args=[_attachment(ticket).pk])),
    ]


SIGNED_IN_ROUTES = [
    ("get", "portal:home"),
    ("get", "portal:account"),
    ("post", "portal:account"),
]


# --- signed-out visitors --------------------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in_from_every_private_route(client, a_ticket):
    routes = [(m, reverse(n)) for m, n in SIGNED_IN_ROUTES] + ticket_routes(a_ticket)
    for method, url in routes:
        response = getattr(client, method)(url, {"body": "x"} if method == "post" else None)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("portal:sign-in")), url
    a_ticket.refresh_from_db()
    assert a_ticket.status != Status.SOLVED
    assert a_ticket.messages.count() == 3


def test_public_routes_are_open_to_signed_out_visitors(client):
    for name in ("portal:sign-in", "portal:new", "portal:brand-css"):
        assert client.get(reverse(name)).status_code == 200


# --- customer A against customer B ----------------------------------------------------------


def test_another_customer_gets_404_on_every_ticket_route(client, a_ticket, b_user):
    client.force_login(b_user)
    for method, url in ticket_routes(a_ticket):
        response = getattr(client, method)(url, {"body": "hijack"} if method == "post" else None)
        assert response.status_code == 404, url
        assert b"secret subject" not in response.content
    a_ticket.refresh_from_db()
    assert a_ticket.status != Status.SOLVED
    assert not a_ticket.messages.filter(body_text="hijack").exists()


def test_a_missing_ticket_looks_the_same_as_another_customers(client, a_ticket, b_user):
    client.force_login(b_user)
    missing = client.get(reverse("portal:ticket", args=[a_ticket.pk + 1000]))
    theirs = client.get(reverse("portal:ticket", args=[a_ticket.pk]))
    assert missing.status_code == theirs.status_code == 404
    assert _strip(missing.content) == _strip(theirs.content)
    nofile = client.get(reverse("portal:attachment", args=[uuid.uuid4()]))
    assert nofile.status_code == 404


def _strip(content: bytes) -> bytes:
    return re.sub(rb"[A-Za-z0-9]{64}", b"CSRF", content)


def test_my_tickets_lists_only_my_own(client, a_ticket, b_user):
    client.force_login(b_user)
    mine = services.ticket_submit(customer=b_user.customer, subject="B's own", body="b")
    response = client.get(reverse("portal:home"))
    assert "B's own" in html.unescape(response.content.decode())  # escaped: &#x27; or &#39;
    assert b"secret subject" not in response.content
    assert reverse("portal:ticket", args=[mine.pk]).encode() in response.content


def test_a_colleague_in_the_same_organization_is_not_a_manager_and_sees_nothing(client, a_ticket):
    colleague = factories.CustomerUserFactory(contact__organization=a_ticket.organization)
    client.force_login(colleague)
    assert client.get(reverse("portal:ticket", args=[a_ticket.pk])).status_code == 404
    assert b"secret subject" not in client.get(reverse("portal:home")).content


def test_an_org_manager_sees_and_follows_their_organizations_tickets(client, a_ticket, agent):
    manager = factories.CustomerUserFactory(
        contact__organization=a_ticket.organization, contact__is_org_manager=True
    )
    client.force_login(manager)
    assert b"secret subject" in client.get(reverse("portal:home")).content
    assert client.get(reverse("portal:ticket", args=[a_ticket.pk])).status_code == 200
    assert (
        client.get(reverse("portal:attachment", args=[_attachment(a_ticket).pk])).status_code == 200
    )
    response = client.post(reverse("portal:reply", args=[a_ticket.pk]), {"body": "On it"})
    assert response.status_code == 302
    assert a_ticket.messages.filter(author_customer=manager.customer).exists()


def test_a_manager_of_another_organization_gets_404(client, a_ticket):
    other = factories.CustomerUserFactory(
        contact__organization=factories.OrganizationFactory(), contact__is_org_manager=True
    )
    client.force_login(other)
    for method, url in ticket_routes(a_ticket):
        assert getattr(client, method)(url).status_code == 404, url
    assert b"secret subject" not in client.get(reverse("portal:home")).content


# --- what the owner sees --------------------------------------------------------------------


def test_the_owner_sees_public_messages_but_never_notes_or_internal_fields(
    client, a_ticket, a_user, agent
):
    client.force_login(a_user)
    page = client.get(reverse("portal:ticket", args=[a_ticket.pk]))
    assert page.status_code == 200
    assert b"Agent answer" in page.content
    assert SECRET_NOTE.encode() not in page.content
    assert b"note.txt" not in page.content
    assert agent.email.encode() not in page.content
    note_file = _attachment(a_ticket, MessageKind.NOTE)
    assert client.get(reverse("portal:attachment", args=[note_file.pk])).status_code == 404


def test_the_owner_downloads_a_public_attachment_as_a_download(client, a_ticket, a_user):
    client.force_login(a_user)
    response = client.get(reverse("portal:attachment", args=[_attachment(a_ticket).pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"A's private report"


def test_plain_words_status_in_the_list(client, a_user, agent):
    client.force_login(a_user)
    ticket = services.ticket_submit(customer=a_user.customer, subject="s", body="b")
    assert "We're on it" in html.unescape(client.get(reverse("portal:home")).content.decode())
    ticket_reply(ticket=ticket, body="Which version?", by=agent, status=Status.PENDING)
    assert b"Waiting for you" in client.get(reverse("portal:home")).content
    services.customer_solve(ticket=ticket, customer=a_user.customer)
    assert b"Solved" in client.get(reverse("portal:home") + "?tab=solved").content
    assert (
        reverse("portal:ticket", args=[ticket.pk]).encode()
        not in client.get(reverse("portal:home")).content
    )


def test_dates_are_shown_in_the_customers_time_zone(client, a_user):
    services.customer_set_time_zone(customer=a_user.customer, time_zone="Asia/Kolkata")
    client.force_login(a_user)
    ticket = services.ticket_submit(customer=a_user.customer, subject="s", body="b")
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "+05:30" in page  # the <time datetime> attribute carries the customer's offset


def test_reply_solve_reopen_through_the_pages(client, a_ticket, a_user):
    client.force_login(a_user)
    url = reverse("portal:reply", args=[a_ticket.pk])
    response = client.post(url, {"body": "Thanks", "attachments": [_file("more.txt")]})
    assert response.status_code == 302
    assert a_ticket.attachments.filter(name="more.txt").exists()
    assert client.post(reverse("portal:solve", args=[a_ticket.pk])).status_code == 302
    a_ticket.refresh_from_db()
    assert a_ticket.status == Status.SOLVED
    assert client.post(reverse("portal:reopen", args=[a_ticket.pk])).status_code == 302
    a_ticket.refresh_from_db()
    assert a_ticket.status == Status.OPEN


def test_reopen_after_the_window_is_refused_with_a_reason(client, a_ticket, a_user):
    client.force_login(a_user)
    services.customer_solve(ticket=a_ticket, customer=a_user.customer)
    with clock.travel(clock.now() + timedelta(days=15)):
        response = client.post(reverse("portal:reopen", args=[a_ticket.pk]))
        assert response.status_code == 409
        assert b"more than 14 days ago" in response.content
        page = client.get(reverse("portal:ticket", args=[a_ticket.pk]))
        assert b"Open a follow-up ticket" in page.content


def test_reply_form_shows_the_attachment_rule_message(client, a_ticket, a_user):
    client.force_login(a_user)
    response = client.post(
        reverse("portal:reply", args=[a_ticket.pk]),
        {"body": "see file", "attachments": [_file("virus.exe")]},
    )
    assert response.status_code == 400
    assert b"programs and scripts are not accepted" in response.content


# --- submitting -----------------------------------------------------------------------------


def test_signed_in_submission_shows_the_reference_and_mails_a_confirmation(
    client, a_user, django_capture_on_commit_callbacks
):
    client.force_login(a_user)
    with django_capture_on_commit_callbacks(execute=True):  # the receipt mail: after commit
        response = client.post(
            reverse("portal:new"),
            {"subject": "Cannot log in", "body": "Help", "category": "account",
             "attachments": [_file("a.txt"), _file("b.txt")]},
        )  # fmt: skip
    ticket = Ticket.objects.get(subject="Cannot log in")
    assert response["Location"] == reverse("portal:ticket-submitted", args=[ticket.pk])
    page = client.get(response["Location"])
    assert f"#{ticket.pk}".encode() in page.content
    assert ticket.attachments.count() == 2
    assert ticket.outbound_emails.filter(kind="portal_ticket_received").exists()


def test_submission_form_shows_attachment_errors(client, a_user):
    client.force_login(a_user)
    response = client.post(
        reverse("portal:new"), {"subject": "s", "body": "b", "attachments": [_file("x.bat")]}
    )
    assert response.status_code == 400
    assert b"x.bat can&#x27;t be attached" in response.content
    assert not Ticket.objects.exists()


def test_priority_field_only_when_allowed(client, a_user, settings):
    client.force_login(a_user)
    assert b'name="priority"' not in client.get(reverse("portal:new")).content
    settings.PORTAL_ALLOW_PRIORITY = True
    assert b'name="priority"' in client.get(reverse("portal:new")).content


def test_signed_out_submission_is_held_until_the_link_is_confirmed(client):
    response = client.post(
        reverse("portal:new"),
        {"email": "walkin@example.org", "name": "Walk In", "subject": "Hi", "body": "Help"},
    )
    assert response.status_code == 200
    assert b"confirm your email" in response.content
    assert not Ticket.objects.exists()
    path = link_path("portal_confirm_submission", "walkin@example.org")
    assert client.get(path).status_code == 200  # a button, not yet used up
    assert not Ticket.objects.exists()
    response = client.post(path)
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("portal:ticket-submitted", args=[ticket.pk])
    assert client.get(reverse("portal:ticket", args=[ticket.pk])).status_code == 200
    replay = client.post(path)
    assert replay.status_code == 400 and b"already used" in replay.content


def test_honeypot_submissions_look_accepted_but_file_nothing(client):
    response = client.post(
        reverse("portal:new"),
        {"email": "bot@example.org", "subject": "Buy", "body": "spam", "website": "http://x"},
    )
    assert response.status_code == 200
    assert not PendingSubmission.objects.exists()


def test_signed_out_submission_is_limited_per_ip(client, settings):
    settings.PORTAL_SUBMIT_RATE_PER_IP = "2/3600"
    data = {"email": "a@example.org", "subject": "s", "body": "b"}
    assert client.post(reverse("portal:new"), data).status_code == 200
    assert client.post(reverse("portal:new"), data).status_code == 200
    response = client.post(reverse("portal:new"), data)
    assert response.status_code == 429
    assert b"Too many requests" in response.content
    assert PendingSubmission.objects.count() == 2


# --- signing in -----------------------------------------------------------------------------


def test_same_response_for_known_and_unknown_addresses(client, a_user, agent):
    pages = [
        _strip(client.post(reverse("portal:sign-in"), {"email": email}).content).replace(
            email.encode(), b"EMAIL"
        )
        for email in (a_user.email, "nobody@example.org", agent.email)
    ]
    assert pages[0] == pages[1] == pages[2]


def test_sign_in_link_signs_in_once(client):
    client.post(reverse("portal:sign-in"), {"email": "fresh@example.org"})
    path = link_path("portal_sign_in", "fresh@example.org")
    assert client.post(path)["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200
    client.logout()
    reused = client.post(path)
    assert reused.status_code == 400 and b"already used" in reused.content
    assert client.get(reverse("portal:home")).status_code == 302


def test_expired_sign_in_link_is_refused(client):
    with clock.travel(clock.now() - timedelta(minutes=20)):
        client.post(reverse("portal:sign-in"), {"email": "slow@example.org"})
    response = client.post(link_path("portal_sign_in", "slow@example.org"))
    assert response.status_code == 400 and b"expired" in response.content
    assert client.get(reverse("portal:home")).status_code == 302


def test_garbage_sign_in_link_is_refused(client):
    response = client.post(reverse("portal:sign-in-confirm", args=["not-a-token"]))
    assert response.status_code == 400 and b"not valid" in response.content


def test_sign_in_is_limited_per_address(client, settings):
    settings.PORTAL_SIGNIN_RATE_PER_EMAIL = "3/3600"
    for _ in range(3):
        assert client.post(reverse("portal:sign-in"), {"email": "x@example.org"}).status_code == 200
    response = client.post(reverse("portal:sign-in"), {"email": "X@example.org"})
    assert response.status_code == 429
    assert b"Too many sign-in requests" in response.content
    assert client.post(reverse("portal:sign-in"), {"email": "y@example.org"}).status_code == 200


def test_sign_in_is_limited_per_ip(client, settings):
    settings.PORTAL_SIGNIN_RATE_PER_IP = "2/3600"
    for n in range(2):
        client.post(reverse("portal:sign-in"), {"email": f"{n}@example.org"})
    assert client.post(reverse("portal:sign-in"), {"email": "z@example.org"}).status_code == 429


def test_sign_out(client, a_user):
    client.force_login(a_user)
    assert client.post(reverse("portal:sign-out")).status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302


def test_account_page_sets_a_password_for_the_normal_login(client, a_user):
    client.force_login(a_user)
    response = client.post(
        reverse("portal:account"),
        {
            "action": "password",
            "current_password": factories.PASSWORD,
            "password1": "quiet river 9182",
            "password2": "quiet river 9182",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username=a_user.email, password="quiet river 9182")


# --- roles ----------------------------------------------------------------------------------


def test_an_agent_gets_404_in_the_portal(client, agent, a_ticket):
    client.force_login(agent)
    for url in (reverse("portal:home"), reverse("portal:ticket", args=[a_ticket.pk])):
        assert client.get(url).status_code == 404


def test_a_customer_session_gets_no_admin_content(client, a_user):
    client.force_login(a_user)
    for url in ("/admin/", "/admin/tickets/ticket/", "/admin/accounts/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/admin/login/" in response["Location"]


def test_a_customer_session_gets_404_from_agent_only_views(a_user):
    @agent_required
    def agent_page(request):  # stands in for every /agent/... view, which all use this guard
        raise AssertionError("must not run")

    request = RequestFactory().get("/agent/tickets/")
    request.user = a_user
    with pytest.raises(Http404):
        agent_page(request)


def test_no_agent_route_serves_a_customer(client, a_user):
    """Whatever /agent/ pages exist when branches merge, a customer gets no content from them."""
    client.force_login(a_user)
    for url in ("/agent/", "/agent/tickets/", "/agent/queues/"):
        assert client.get(url).status_code in (302, 403, 404), url


def test_sign_in_lands_on_the_page_asked_for_but_never_off_the_portal(client, a_ticket, a_user):
    target = reverse("portal:ticket", args=[a_ticket.pk])
    response = client.get(target)
    assert response["Location"] == f"{reverse('portal:sign-in')}?next={target}"
    client.post(reverse("portal:sign-in"), {"email": a_user.email, "next": target})
    assert client.post(link_path("portal_sign_in", a_user.email))["Location"] == target
    client.logout()
    client.post(reverse("portal:sign-in"), {"email": a_user.email, "next": "//evil.example/x"})
    assert client.post(link_path("portal_sign_in", a_user.email))["Location"] == "/portal/"


def test_branding_comes_from_settings(client, settings):
    settings.PORTAL_SITE_NAME = "Acme Cloud"
    settings.PORTAL_LOGO_URL = "https://cdn.acme.test/logo.svg"
    settings.PORTAL_BRAND_COLOR = "#0b7a75"
    page = client.get(reverse("portal:sign-in")).content
    assert b"Acme Cloud" in page and b"https://cdn.acme.test/logo.svg" in page
    assert b"--portal-brand: #0b7a75" in client.get(reverse("portal:brand-css")).content
    settings.PORTAL_BRAND_COLOR = "red; } body { display: none"
    assert b"display: none" not in client.get(reverse("portal:brand-css")).content


PUBLIC_ROUTES = {
    "sign-in",
    "sign-in-confirm",
    "sign-out",
    "new",
    "submit-confirm",
    "brand-css",
    "language",  # tests/portal/test_languages.py
    "product-parts",  # version and component lists (tests/portal/test_product.py)
    "form-fields",  # a ticket form's fields (tests/portal/test_ticket_forms.py)
}
CUSTOMER_ROUTES = {"home", "account"}
TICKET_ROUTES = {"ticket", "ticket-submitted", "reply", "solve", "reopen", "attachment"}


def test_every_portal_route_is_covered_by_an_isolation_test():
    """A new portal URL must be added to one of these sets and to the tests above."""
    from portal.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns}
    assert names == PUBLIC_ROUTES | CUSTOMER_ROUTES | TICKET_ROUTES
