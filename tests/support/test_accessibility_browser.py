"""axe-core on every page, for every role, at desktop and phone widths, with no
Content-Security-Policy violation and nothing wider than the window (no sideways scrolling); the
contrast of every badge and label; skip links and the Tab order to the first ticket; the favicon.

The pages and who opens them are the map in ``tests/support/site_map.py`` (the same map checks
statuses, one <h1> per page and dead navigation links without a browser, in
``test_roles_and_pages.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.a11y import DESKTOP, assert_accessible, describe, sideways_overflow, violations
from tests.support.site_map import (
    ADMIN,
    AGENT,
    CUSTOMER,
    EMAILS,
    PASSWORD,
    ROLES,
    VISITOR,
    build_site,
    pages_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, role: str) -> None:
    if role == VISITOR:
        return
    page.goto(f"{base}/login/" + ("?next=/portal/" if role == CUSTOMER else ""))
    page.fill("input[name=username]", EMAILS[role])
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


@pytest.mark.longest
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_has_no_serious_axe_violation(live_server, page, role):
    site = build_site()
    # The Content-Security-Policy (support/security.py): Chromium reports what it blocks.
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: (
            blocked.append(f"{page.url}: {m.text}") if "Content Security Policy" in m.text else None
        ),
    )
    sign_in(page, live_server.url, role)
    problems = []
    urls = pages_for(role, site)
    if role == AGENT:
        # An admin opens the same pages with the same templates and more on them; the agent's
        # own pages and layout (their queue, a ticket) are checked here.
        admins = set(pages_for(ADMIN, site))
        urls = [u for u in urls if u not in admins] + [
            urls[0],
            f"/agent/tickets/{site.tickets['note']}/",
            "/agent/admin/users/",  # an admin page: the agent is told who can let them in (403)
        ]
    for url in urls:
        page.goto(live_server.url + url)
        if page.locator("[hx-trigger^=load]").count():
            page.wait_for_load_state("networkidle")  # the panels htmx loads with the page are in
        try:
            assert_accessible(page)
        except AssertionError as exc:
            problems.append(str(exc))
        problems.extend(sideways_overflow(page))
    assert len(urls) >= 3
    assert not problems, f"as {role}:\n" + "\n\n".join(problems)
    assert not blocked, f"as {role}, the Content-Security-Policy blocked:\n" + "\n".join(blocked)


# Every badge and label the stylesheet colours, in the places the pages put them. A page shows
# only the states its data has; this sheet shows them all, so a colour change can't slip by.
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
IMPORTANCES = ("nice_to_have", "important", "blocker")


def spans(template: str, values, tag: str = "span") -> str:
    """One element per value, its class made from ``template`` (``{}`` is the value)."""
    return "".join(f'<{tag} class="{template.format(v)}">{v}</{tag}> ' for v in values)


def cells(template: str, values) -> str:
    return "".join(f"<td>{spans(template, [v])}</td>" for v in values)


SWATCHES = "\n".join(
    [
        '<main id="main"><h1>Badges and labels</h1><table class="queue"><tbody>',
        f"<tr>{cells('badge badge-{}', STATUSES)}</tr>",
        f"<tr>{cells('prio prio-{}', PRIORITIES)}<td class=ref>#12</td><td class=sla>due</td></tr>",
        f'<tr class="is-current">{cells("prio prio-{}", PRIORITIES)}<td class=ref>#13</td></tr>',
        f"<tr>{cells('sla-clock sla-{}', ('ok', 'warning', 'breached', 'paused'))}</tr>",
        "</tbody></table>",
        '<p><span class="tag-note">Internal note</span> <span class="sla-breached">late</span>',
        '<span class="muted">muted</span></p>',
        "<p>"
        + spans(
            "mail-status mail-status-{}",
            ("received", "processed", "failed", "ignored", "pending", "sending", "sent"),
        )
        + "</p>",
        f"<p>{spans('status-badge {}', ('pending', 'sending', 'delivered', 'failed'))}</p>",
        "<p>"
        + spans(
            "fb-status fb-status-{}",
            ("new", "under_review", "planned", "in_progress", "shipped", "declined"),
        )
        + "</p>",
        f"<p>{spans('fb-importance fb-importance-{}', IMPORTANCES)}</p>",
        f"<p>{spans('csat-badge csat-{}', ('good', 'bad'))}</p>",
        '<form class="topbar-nav">'
        + "".join(
            f'<select class="availability-{s}" aria-label="{s}"><option>{s}</option></select>'
            for s in ("online", "away", "offline")
        )
        + "</form>",
        '<form class="bulk-bar"><span class="muted">0 selected</span>'
        '<button class="button" type="button">Assign</button>'
        '<button class="button" type="button">Set status</button></form>',
        '<nav class="sidenav" aria-label="Views"><ul class="sidenav-list"><li><a href="#q">'
        '<span>Open</span><span class="count">12</span></a></li></ul>'
        '<h2 class="sidenav-heading">Admin</h2></nav></main>',
        '<div class="page-portal"><main>',
        spans("portal-status portal-status-{}", STATUSES),
        '<span class="portal-badge">Support</span> <span class="portal-ref">#12</span>',
        "</main></div>",
    ]
)


def test_every_badge_and_label_meets_wcag_aa_contrast(page):
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    page.set_content(
        f'<!doctype html><html lang="en"><head><title>Swatches</title><style>{css}</style></head>'
        f'<body class="page-agent">{SWATCHES}</body></html>'
    )
    found = [v for v in violations(page) if v["id"] == "color-contrast"]
    assert not found, describe(found)
    # The sheet really holds the badges (a typo in a class would make this pass vacuously).
    assert page.locator(".badge-solved").evaluate("e => getComputedStyle(e).backgroundColor") != (
        page.locator(".badge-closed").evaluate("e => getComputedStyle(e).backgroundColor")
    )


def test_the_first_ticket_of_a_queue_is_two_key_presses_from_page_load(live_server, page):
    """Tab reaches "Skip to list" first; Enter on it puts focus on the first ticket's link."""
    site = build_site()
    sign_in(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/agent/queues/all/")
    first_ticket = page.locator("table.queue tbody a[href]").first
    presses = 0
    while presses < 5:
        page.keyboard.press("Tab")
        presses += 1
        if first_ticket.evaluate("e => e === document.activeElement"):
            break
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused == "Skip to list":
            assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px", (
                "the skip link is visible once focused"
            )
            page.keyboard.press("Enter")
            if first_ticket.evaluate("e => e === document.activeElement"):
                break
    assert first_ticket.evaluate("e => e === document.activeElement"), (
        f"after {presses} Tab presses focus is on "
        f"{page.evaluate('document.activeElement.outerHTML.slice(0, 120)')}"
    )
    assert presses <= 2
    # Enter on the focused link opens the ticket.
    href = first_ticket.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(href)
    assert site.tickets


@pytest.mark.parametrize(
    ("role", "url", "inside"),
    [
        ("agent", "/agent/search/", "#content"),
        ("pm", "/feedback/", "#content"),
        (CUSTOMER, "/portal/", "#main"),
    ],
)
def test_skip_to_content_moves_focus_past_the_navigation(live_server, page, role, url, inside):
    build_site()
    sign_in(page, live_server.url, role)
    page.goto(live_server.url + url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    in_content = page.evaluate(
        f"document.querySelector('{inside}').contains(document.activeElement)"
        " && !document.activeElement.closest('nav, header')"
    )
    assert in_content, page.evaluate("document.activeElement.outerHTML.slice(0, 160)")


def test_a_product_manager_signs_in_to_the_feedback_list_with_only_their_links(live_server, page):
    build_site()
    sign_in(page, live_server.url, "pm")
    assert page.url == f"{live_server.url}/feedback/"
    assert page.locator("h1").inner_text() == "Product feedback"
    # Nothing of the ticket workspace: no ticket search, availability, canned-response settings.
    assert page.locator("#global-search, #availability-select").count() == 0
    assert page.get_by_role("link", name="Settings").count() == 0
    links = page.eval_on_selector_all("header a[href], nav a[href]", "els => els.map(e => e.href)")
    for href in set(links):
        if "/admin/" in href:
            continue
        assert page.request.get(href).status == 200, href
    assert_accessible(page)


def test_every_page_has_the_svg_favicon(live_server, page):
    page.goto(f"{live_server.url}/login/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href.endswith(".svg")
    icon = page.request.get(live_server.url + href if href.startswith("/") else href)
    assert icon.status == 200 and b"<svg" in icon.body()
    page.goto(f"{live_server.url}/portal/sign-in/")
    assert page.locator("link[rel=icon]").get_attribute("href") == href


def test_the_sheet_of_swatches_fails_on_a_bad_colour(page):
    """The contrast check can fail: white on the old amber note label (2.1:1) is found."""
    page.set_content(
        '<!doctype html><html lang="en"><head><title>x</title></head><body><main><h1>x</h1>'
        '<span style="background:#f59f00;color:#fff;font-size:11px">Internal note</span>'
        "</main></body></html>"
    )
    assert [v["id"] for v in violations(page)] == ["color-contrast"]
    assert DESKTOP["width"] == 1366


def test_the_overflow_check_finds_a_page_wider_than_the_window(page):
    """An unbreakable address in a table is what made the webhooks list 9 px too wide."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    long_url = "https://crm.example.com/hooks/" + "x" * 60
    table = (
        '<table class="{}"><tbody><tr><td data-label="URL"><code>'
        + long_url
        + "</code></td></tr></tbody></table>"
    )
    page.set_content(
        f'<!doctype html><html lang="en"><head><title>x</title><style>{css}</style></head>'
        f"<body><main><h1>x</h1>{table.format('delivery-table')}</main></body></html>"
    )
    assert sideways_overflow(page) == []  # the stylesheet lets the address break
    page.set_content(f"<!doctype html><html><body><table><tr><td>{long_url}</td></tr></table>")
    found = sideways_overflow(page)
    assert len(found) == 1 and "at 390 px" in found[0]
