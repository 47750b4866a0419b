"""Every page of the site map, for every role, is served under the Content-Security-Policy and
the other security headers, and its HTML needs nothing the policy refuses: no inline script, no
event-handler attribute, no inline style (but a nonce'd block), no ``javascript:`` URL, no
htmx ``js:`` values (they need eval). The browser walk (``test_accessibility_browser.py``) also
fails on any violation Chromium reports."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from accounts.models import User
from support.security import content_security_policy
from tests.support.site_map import EMAILS, ROLES, VISITOR, build_site, pages_for

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _Inline(HTMLParser):
    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (an event handler attribute)")
            if name == "style":
                self.problems.append(f"<{tag} style=…> (an inline style)")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
            if name.startswith(("hx-on", "data-hx-on")) or (
                name in ("hx-vals", "hx-vars") and (value or "").lstrip().startswith("js:")
            ):
                self.problems.append(f"<{tag} {name}=…> (htmx evaluates it: needs eval)")
        if tag in ("script", "style") and not values.get("src"):
            if tag == "script" and values.get("type") in (
                "application/json",
                "application/ld+json",
            ):
                return
            if values.get("nonce") != self.nonce:
                self.problems.append(f"inline <{tag}> without the response's nonce")


def nonce_of(policy: str) -> str:
    match = re.search(r"'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


def check_policy(policy: str) -> None:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_served_under_the_policy_and_needs_nothing_it_refuses(role):
    site = build_site()
    client = Client()
    if role != VISITOR:
        client.force_login(User.objects.get(email=EMAILS[role]))
    problems = []
    urls = pages_for(role, site)
    for url in urls:
        response = client.get(url)
        policy = response.get("Content-Security-Policy", "")
        if not policy:
            problems.append(f"{url}: no Content-Security-Policy")
            continue
        check_policy(policy)
        for name, value in HEADERS.items():
            if response.get(name) != value:
                problems.append(f"{url}: {name} is {response.get(name)!r}, expected {value!r}")
        if "camera=()" not in response.get("Permissions-Policy", ""):
            problems.append(f"{url}: no Permissions-Policy")
        if "text/html" in response.get("Content-Type", ""):
            parser = _Inline(nonce_of(policy))
            parser.feed(response.content.decode())
            problems.extend(f"{url}: {problem}" for problem in parser.problems)
    assert len(urls) >= 3
    assert not problems, f"as {role}:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce_and_the_api_docs_page_uses_it(client):
    first = client.get("/login/")["Content-Security-Policy"]
    second = client.get("/login/")["Content-Security-Policy"]
    assert nonce_of(first) != nonce_of(second)
    admin = User.objects.create_user("docs@example.com", "pw", role="admin")
    client.force_login(admin)
    response = client.get("/api/docs/")
    parser = _Inline(nonce_of(response["Content-Security-Policy"]))
    parser.feed(response.content.decode())
    assert not parser.problems, parser.problems


def test_the_policy_allows_the_attachment_stores_origin_for_images(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "b", "endpoint_url": "https://s3.example.net/x"},
        },
    }
    policy = content_security_policy("n")
    img = next(p for p in policy.split("; ") if p.startswith("img-src"))
    assert img == "img-src 'self' data: blob: https://s3.example.net"


@pytest.mark.django_db
def test_a_violation_report_is_logged(client, caplog):
    response = client.post(
        "/csp-report",
        data='{"csp-report": {"blocked-uri": "inline", "document-uri": "http://x/agent/"}}',
        content_type="application/csp-report",
    )
    assert response.status_code == 204
    assert "Content-Security-Policy violation: inline blocked on http://x/agent/" in caplog.text
    assert client.post("/csp-report", data="nope", content_type="text/plain").status_code == 400
