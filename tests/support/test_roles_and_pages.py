"""Every page, for every role: it opens for the roles that may open it (and no other), it has
exactly one <h1>, and every link in its navigation leads somewhere that role may go.

The pages are the map in ``tests/support/site_map.py``; the axe-core checks of the same pages
in a browser are in ``test_accessibility_browser.py``.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import User
from tests.support.site_map import (
    AGENT,
    CUSTOMER,
    EMAILS,
    EXTRA_PAGES,
    NOT_FOUND_PAGES,
    NOT_PAGES,
    PAGES,
    PASSWORD,
    PM,
    ROLES,
    VISITOR,
    admin_only_urls,
    build_site,
    pages_for,
    refused_for,
    url_patterns,
)


class _Outline(HTMLParser):
    """The <h1> count and the links inside <header> and <nav> elements (the navigation)."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.nav_links: set[str] = set()
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self.h1 += 1
        if tag in ("header", "nav"):
            self._depth += 1
        if tag == "a" and self._depth:
            href = dict(attrs).get("href") or ""
            if href.startswith("/"):
                self.nav_links.add(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag in ("header", "nav") and self._depth:
            self._depth -= 1


def outline(html: str) -> _Outline:
    reader = _Outline()
    reader.feed(html)
    reader.close()
    return reader


def client_for(role: str) -> Client:
    client = Client()
    if role != VISITOR:
        client.force_login(User.objects.get(email=EMAILS[role]))
    return client


def test_every_url_pattern_is_a_mapped_page_or_named_as_not_a_page():
    mapped = {page.route for page in PAGES} | set(NOT_PAGES)
    unmapped = [f"{route} ({name})" for route, name in url_patterns() if name not in mapped]
    assert not unmapped, (
        "URL patterns neither in PAGES (with the URLs to check and who opens them) nor in "
        f"NOT_PAGES (with why they are not a page), in tests/support/site_map.py: {unmapped}"
    )
    stale = mapped - {name for _, name in url_patterns()}
    assert not stale, f"the map names URL patterns that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_its_pages_each_with_one_h1_and_no_others(role):
    site = build_site()
    client = client_for(role)
    problems = []
    for url in pages_for(role, site):
        response = client.get(url)
        expected = NOT_FOUND_PAGES.get(url, 200)
        if response.status_code != expected:
            problems.append(f"{url}: {response.status_code}, expected {expected}")
            continue
        h1 = outline(response.content.decode()).h1
        if h1 != 1:
            problems.append(f"{url}: {h1} <h1> elements")
    admin_pages = set(admin_only_urls(site))
    for url in refused_for(role, site):
        response = client.get(url)
        if response.status_code == 302:
            # Signed out: to a sign-in page. Signed in as the wrong kind of person: never.
            if role != VISITOR or "login" not in response.url and "sign-in" not in response.url:
                problems.append(f"{url}: redirected to {response.url}")
        elif url in admin_pages and role == AGENT:
            # One rule for every administration page: an agent is told what it is for and
            # who can let them in (403); everyone else gets the workspace's 404.
            html = response.content.decode()
            if response.status_code != 403 or "This page is for admins" not in html:
                problems.append(f"{url}: {response.status_code}, expected the admins-only 403")
            elif "admin@example.com" not in html:
                problems.append(f"{url}: the 403 names no admin who can grant the role")
        elif url in admin_pages and response.status_code != 404:
            problems.append(f"{url}: {response.status_code}, expected 404 for a {role}")
        elif response.status_code not in (403, 404):
            problems.append(f"{url}: {response.status_code}, a {role} must not open it")
    assert not problems, f"as {role}:\n" + "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_link_in_a_roles_navigation_is_dead(role):
    """Every link in the header and navigation of every page a role opens leads to a page that
    role may open (after redirects): no 403, no 404, no page of the wrong layout."""
    site = build_site()
    client = client_for(role)
    links: dict[str, str] = {}
    for url in pages_for(role, site):
        if url in dict(EXTRA_PAGES):
            continue
        for link in outline(client.get(url).content.decode()).nav_links:
            links.setdefault(link, url)
    assert links, "no navigation found"
    dead = []
    for link, found_on in sorted(links.items()):
        if urlsplit(link).path.startswith(("/admin/", "/api/")):
            response = client.get(link)  # the admin (admins only) and the API docs
        else:
            response = client.get(link, follow=True)
        if response.status_code != 200:
            dead.append(f"{link} (on {found_on}): {response.status_code}")
    assert not dead, f"dead links for {role}:\n" + "\n".join(dead)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("admin", "/agent/queues/"),
        ("agent", "/agent/queues/"),
        (PM, "/feedback/"),
        (CUSTOMER, "/portal/"),
    ],
)
def test_signing_in_lands_each_role_on_a_page_it_may_open(role, landing):
    build_site()
    client = Client()
    response = client.post("/login/", {"username": EMAILS[role], "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    final = response.redirect_chain[-1][0]
    assert final.startswith(landing), final
