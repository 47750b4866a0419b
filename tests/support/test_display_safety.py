"""Display safety as a class: a name carrying a bidirectional override or an invisible control
(an attachment ``invoice<RLO>fdp.exe`` shown as ``invoiceexe.pdf``, a sender or subject with
hidden characters) is neutralised — replaced by U+FFFD — wherever it is shown. The walk sends
such names in through the real ways in (mail, the API, the portal) and reads every place they
come out: the agent's pages, the portal, the API, the original-mail view, the outbound mail.
Also: remote images blocked in HTML written through the API and in the original-mail view, an
upload's malformed Content-Type refused with 400, programs refused by their content."""

from __future__ import annotations

import json
import unicodedata
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.tokens import api_token_create
from support.text import REPLACEMENT, UNSAFE_RE, clean_name, display_safe, display_safe_bytes
from tests import factories
from tests.tickets.mail.conftest import build_mail
from tickets.mail.inbound import inbound_process, inbound_store
from tickets.mail.models import InboundEmail, OutboundEmail
from tickets.models import Attachment, Message

RLO, LRI, ZWSP, BOM = "\u202e", "\u2066", "\u200b", "\ufeff"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 60
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50


def test_every_bidi_control_and_invisible_format_character_is_neutralised():
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        bidi = unicodedata.bidirectional(char)
        dangerous = (
            bidi
            in {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM", "ALM"}
            or (category == "Cc" and char not in "\t\n\r")
            or char in "\u200b\u2060\ufeff\u2028\u2029"
        )
        if dangerous:
            assert display_safe(f"a{char}b") == f"a{REPLACEMENT}b", hex(code)
            assert display_safe_bytes(f"a{char}b".encode()) == f"a{REPLACEMENT}b".encode(), hex(
                code
            )
    # Joiners shape Persian, Indic scripts and emoji: kept.
    for kept in ("\u200c", "\u200d", "👩\u200d💻", "שלום", "مرحبا"):
        assert display_safe(kept) == kept
    assert clean_name(f"  invoice{RLO}fdp.exe \n") == f"invoice{REPLACEMENT}fdp.exe"


def _assert_clean(where: str, text: str) -> None:
    found = UNSAFE_RE.search(text.replace("\t", " ").replace("\n", " ").replace("\r", " "))
    assert found is None, f"{where}: U+{ord(found.group()):04X} shown"


@pytest.mark.django_db
def test_names_with_hidden_characters_are_neutralised_everywhere_they_are_shown(
    settings, team, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent = factories.AgentFactory(teams=[team])
    admin = factories.AdminFactory(teams=[team])
    team.email = "help@example.com"
    team.save()
    raw = build_mail(
        sender=f"Ada{RLO}ecalevol <ada@example.org>",
        to="help@example.com",
        subject=f"Refund{ZWSP} for invoice{RLO}3401",
        body="Please see the attached files.",
        attachments=[
            (f"invoice{RLO}fdp.txt", "text/plain", b"Invoice 1043"),
            (f"photo{LRI}.png", "application/octet-stream", ELF),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        row, _ = inbound_store(raw=raw)
        inbound_process(inbound_id=row.pk)
    row = InboundEmail.objects.get(pk=row.pk)
    assert row.ticket_id, row.error
    ticket = row.ticket
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.name == f"invoice{REPLACEMENT}fdp.txt"
    assert ticket.subject == f"Refund{REPLACEMENT} for invoice{REPLACEMENT}3401"
    assert ticket.requester.name == f"Ada{REPLACEMENT}ecalevol"
    # The ELF named .png was refused by its content; the note names it neutralised.
    note = Message.objects.get(ticket=ticket).body_text
    assert f"photo{REPLACEMENT}.png can't be attached: programs" in note

    # An API client and a portal customer add more names the same way.
    _, raw_token = api_token_create(user=admin, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"body": "More", "attachments": [SimpleUploadedFile(f"log{BOM}{RLO}txt.sh.txt", b"log")],
         "kind": "note"},
    )  # fmt: skip
    assert response.status_code == 201, response.content

    places = {}
    agent_client = Client()
    agent_client.force_login(agent)
    places["ticket page"] = agent_client.get(reverse("workspace:ticket", args=[ticket.pk]))
    places["queue"] = agent_client.get(reverse("workspace:queue", args=["all"]))
    admin_client = Client()
    admin_client.force_login(admin)
    places["inbound list"] = admin_client.get(reverse("mail:inbound_list") + "?status=")
    places["original mail"] = admin_client.get(reverse("mail:inbound_original", args=[row.pk]))
    places["status page"] = admin_client.get(reverse("status"))
    customer = ticket.requester
    if customer.user is None:
        from portal.services import portal_account_ensure

        portal_account_ensure(email=customer.email)
        customer.refresh_from_db()
    portal = Client()
    portal.force_login(customer.user)
    places["portal ticket"] = portal.get(reverse("portal:ticket", args=[ticket.pk]))
    places["portal home"] = portal.get(reverse("portal:home"))
    places["api ticket"] = api.get(f"/api/v1/tickets/{ticket.pk}")
    places["api messages"] = api.get(f"/api/v1/tickets/{ticket.pk}/messages")
    for where, response in places.items():
        assert response.status_code == 200, where
        _assert_clean(where, response.content.decode())
    assert REPLACEMENT in places["ticket page"].content.decode()
    mails = list(OutboundEmail.objects.all())
    assert mails, "the confirmation and the team's alert"
    for mail in mails:
        for part in (mail.subject, mail.body_text, mail.body_html, *mail.to):
            _assert_clean(f"mail {mail.kind}", part)


@pytest.mark.django_db
def test_html_written_through_the_api_loses_its_remote_images(admin_user):
    customer = factories.CustomerFactory()
    _, raw_token = api_token_create(user=admin_user, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    response = api.post(
        "/api/v1/tickets",
        json.dumps({
            "requester_id": customer.pk, "subject": "Pixel", "body": "Hi",
            "body_html": '<p>Hi<img src="https://tracker.example/p.gif" alt="pixel">'
                         '<img src="//tracker.example/q.gif"><img src="/media/ok.png"></p>',
        }),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    html = Message.objects.get(ticket_id=response.json()["id"]).body_html
    assert "tracker.example" not in html
    assert 'src="/media/ok.png"' in html and 'alt="pixel"' in html


@pytest.mark.django_db
def test_the_original_mail_view_shows_no_remote_image(admin_user):
    raw = build_mail(html='<p>Hello<img src="https://tracker.example/open.gif"></p>')
    row, _ = inbound_store(raw=raw)
    client = Client()
    client.force_login(admin_user)
    page = client.get(reverse("mail:inbound_original", args=[row.pk])).content.decode()
    assert '<img src="https://tracker.example' not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "refused"),
    [
        ("holiday.png", ELF, True),
        ("report.pdf", PE, True),
        ("script.txt", b"#!/bin/sh\nrm -rf /\n", True),
        ("universal.dat", b"\xca\xfe\xba\xbe\x00\x00\x00\x02", True),
        ("states.txt", b"MZ is Mizoram's code; this is plain text.", False),
        ("notes.txt", b"Hello", False),
    ],
)
def test_a_program_is_refused_by_its_content_whatever_its_name(admin_user, name, content, refused):
    customer = factories.CustomerFactory()
    _, raw_token = api_token_create(user=admin_user, name="t")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}").post(
        "/api/v1/tickets",
        {"requester_id": customer.pk, "subject": "File", "body": "See file",
         "attachments": [SimpleUploadedFile(name, content)]},
    )  # fmt: skip
    if refused:
        assert response.status_code == 400, response.content
        assert "programs and scripts are not accepted" in response.json()["error"]["message"]
    else:
        assert response.status_code == 201, response.content


def _multipart(token: str, base: str, content_type: str, requester: int) -> tuple[int, dict]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="requester_id"\r\n\r\n{requester}',
        f'--{boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\nFile',
        f'--{boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\nSee file',
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
        f'filename="a.txt"\r\nContent-Type: {content_type}\r\n\r\nhello',
    ]
    body = ("\r\n".join(parts) + f"\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(  # noqa: S310 - the test's own server
        f"{base}/api/v1/tickets",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.django_db(transaction=True)
def test_an_uploads_malformed_or_overlong_content_type_is_a_400_over_http(live_server):
    admin = factories.AdminFactory()
    customer = factories.CustomerFactory()
    _, token = api_token_create(user=admin, name="t")
    # (Parameters are Django's to parse: an over-long charset is dropped, not stored.)
    for content_type in ("text/" + "x" * 300, "not a type", "image", "text/plain<script>"):
        status, body = _multipart(token, live_server.url, content_type, customer.pk)
        assert status == 400, (content_type, status, body)
        assert "invalid content type" in body["error"]["message"]
    status, body = _multipart(token, live_server.url, "text/plain; charset=utf-8", customer.pk)
    assert status == 201, body
    assert Attachment.objects.get().content_type == "text/plain"
