"""Branding: stored in the database with the environment as defaults, validated (an AA-readable
colour, a real image for the logo, a sender address, a footer that stays text), cached per process
and dropped on change, and used by the workspace, the portal and outgoing mail."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.branding import SiteBranding, brand, contrast
from support.errors import NotPermitted, ValidationFailed
from tests import factories
from tests.tickets.mail.conftest import run_on_commit
from tickets.mail.models import OutboundEmail
from tickets.mail.outbound import email_queue
from tickets.staff.branding import PAGE_BACKGROUND, branding_update, clean_colour

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
FIELDS = {
    "site_name": "",
    "primary_colour": "",
    "sender_name": "",
    "sender_email": "",
    "mail_footer": "",
}


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_NAME = "Switchboard"
    settings.DEFAULT_FROM_EMAIL = "Switchboard Support <support@localhost>"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_environment_is_the_default_until_an_admin_sets_something(admin_user):
    assert brand().site_name == "Switchboard"
    assert brand().sender == "Switchboard Support <support@localhost>"
    branding_update(by=admin_user, **{**FIELDS, "site_name": "Acme Help"})
    assert brand().site_name == "Acme Help" and brand().portal_site_name == "Acme Help"
    assert brand().sender == "Switchboard Support <support@localhost>"  # still the default
    branding_update(by=admin_user, **{**FIELDS, "sender_email": "help@acme.example"})
    assert brand().site_name == "Switchboard"  # emptied: the default again
    assert brand().sender == "Switchboard Support <help@acme.example>"


def test_the_brand_is_cached_per_process_and_dropped_on_change(
    admin_user, django_assert_num_queries
):
    brand()
    with django_assert_num_queries(0):
        assert brand().site_name == "Switchboard"
    SiteBranding.objects.create(pk=1, site_name="Saved elsewhere")  # another process's save
    assert brand().site_name == "Saved elsewhere"


@pytest.mark.parametrize(
    ("typed", "stored"), [("#3B5BDB", "#3b5bdb"), ("#000", "#000000"), (" #0b7a75 ", "#0b7a75")]
)
def test_colours_are_normalised(typed, stored):
    assert clean_colour(typed) == stored


@pytest.mark.parametrize("typed", ["red", "#12345", "#gggggg", "3b5bdb", "#3b5bdb; }"])
def test_colours_must_be_hex(typed):
    with pytest.raises(ValidationFailed, match="six hex digits"):
        clean_colour(typed)


@pytest.mark.parametrize("light", ["#ffd43b", "#74c0fc", "#ffffff", "#40c057"])
def test_a_colour_text_would_not_read_on_is_refused_with_a_darker_one_to_try(light):
    with pytest.raises(ValidationFailed, match="too light") as refused:
        clean_colour(light)
    suggested = refused.value.message.split("such as ")[1].split(" ")[0]
    assert contrast(suggested, PAGE_BACKGROUND) >= 4.5
    assert contrast(suggested, "#ffffff") >= 4.5
    assert clean_colour(suggested) == suggested


def test_only_admins_change_the_branding(agent):
    with pytest.raises(NotPermitted):
        branding_update(by=agent, **{**FIELDS, "site_name": "Mine"})
    assert not SiteBranding.objects.exists()


def test_logo_must_be_an_image_and_is_served_with_its_type(admin_user, client):
    for name, data, error in (
        ("logo.svg", b"<svg><script>alert(1)</script></svg>", "PNG, JPEG, GIF or WebP"),
        ("logo.png", b"#!/bin/sh\necho hi", "programs and scripts"),
        ("logo.png", b"not an image at all", "PNG, JPEG, GIF or WebP"),
        ("logo.png", PNG + b"\x00" * 600_000, "at most 512 KB"),
    ):
        upload = SimpleUploadedFile(name, data, content_type="image/png")
        with pytest.raises(ValidationFailed, match=error):
            branding_update(by=admin_user, logo=upload, **FIELDS)
    assert not SiteBranding.objects.exists()
    branding_update(
        by=admin_user, logo=SimpleUploadedFile("x.png", PNG, content_type="image/png"), **FIELDS
    )
    assert brand().logo_url.startswith(reverse("brand_logo"))
    served = client.get(brand().logo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content if served.streaming else [served.content]) == PNG
    branding_update(by=admin_user, remove_logo=True, **FIELDS)
    assert brand().logo_url == ""
    assert client.get(reverse("brand_logo")).status_code == 404


def test_sender_and_footer_are_checked(admin_user):
    with pytest.raises(ValidationFailed, match="valid sender address"):
        branding_update(by=admin_user, **{**FIELDS, "sender_email": "not an address"})
    with pytest.raises(ValidationFailed, match="one line"):
        branding_update(by=admin_user, **{**FIELDS, "sender_name": "Acme\r\nBcc: x@evil"})
    with pytest.raises(ValidationFailed, match="at most 1000"):
        branding_update(by=admin_user, **{**FIELDS, "mail_footer": "x" * 1001})


def test_outgoing_mail_uses_the_sender_and_footer_escaped_in_html(admin_user, customer):
    branding_update(
        by=admin_user,
        **{
            **FIELDS,
            "site_name": "Acme Help",
            "sender_name": "Acme Help Desk",
            "sender_email": "help@acme.example",
            "mail_footer": "Acme Inc. <b>1 Main St</b>\nSpringfield",
        },
    )
    with run_on_commit():
        email_queue(
            kind="test",
            to=["ada@example.org"],
            subject="Hello",
            body_text="Body",
            body_html="<html><body><p>Body</p></body></html>",
        )
    [message] = django_mail.outbox
    assert message.from_email == "Acme Help Desk <help@acme.example>"
    assert message.body.endswith("-- \nAcme Inc. <b>1 Main St</b>\nSpringfield\n")
    html = message.alternatives[0][0]
    assert "Acme Inc. &lt;b&gt;1 Main St&lt;/b&gt;<br>Springfield</p></body>" in html
    assert OutboundEmail.objects.get().from_email == "Acme Help Desk <help@acme.example>"


def test_the_invitation_names_the_site(admin_user):
    from tickets.staff.services import staff_invite

    branding_update(by=admin_user, **{**FIELDS, "site_name": "Acme Help"})
    with run_on_commit():
        staff_invite(email="nia@example.com", by=admin_user)
    [message] = django_mail.outbox
    assert message.subject.endswith("invited you to Acme Help")


def test_the_page_saves_and_every_page_shows_the_brand(admin_client, client):
    response = admin_client.post(
        reverse("staff:branding"),
        {
            **FIELDS,
            "site_name": "Acme Help",
            "primary_colour": "#0b7a75",
            "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    page = admin_client.get(reverse("staff:branding")).content.decode()
    assert "Acme Help" in page and 'value="#0b7a75"' in page
    assert f'href="{reverse("brand_css")}?v={brand().version}"' in page
    assert brand().logo_url in page
    css = Client().get(reverse("brand_css")).content.decode()
    assert "--brand: #0b7a75" in css and "--portal-brand: #0b7a75" in css
    portal = Client().get(reverse("portal:sign-in")).content.decode()
    assert "Acme Help" in portal and brand().logo_url in portal


def test_bad_input_keeps_what_was_typed(admin_client):
    typed = {
        **FIELDS,
        "site_name": "Acme Help",
        "primary_colour": "#ffd43b",
        "mail_footer": "Acme Inc.\nSpringfield",
        "logo": SimpleUploadedFile("logo.png", PNG, content_type="image/png"),
    }
    response = admin_client.post(reverse("staff:branding"), typed)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Acme Help"' in html and 'value="#ffd43b"' in html
    assert ">Acme Inc.\nSpringfield</textarea>" in html
    assert "too light" in html and "choose the logo file again" in html
    assert not SiteBranding.objects.exists()


def test_the_branding_page_is_for_admins_only(client, agent):
    url = reverse("staff:branding")
    assert client.get(url).status_code == 302
    for user, status in (
        (agent, 403),
        (factories.ProductManagerFactory(), 404),
        (factories.CustomerUserFactory(), 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {**FIELDS, "site_name": "Mine"}).status_code == status
    assert not SiteBranding.objects.exists()


def test_the_form_needs_the_csrf_token(admin_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert strict.post(reverse("staff:branding"), {**FIELDS, "site_name": "X"}).status_code == 403
    assert not SiteBranding.objects.exists()
