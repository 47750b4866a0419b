"""Screenshots of every page issue 18 changed, at 1366×768 and 390×844 (full page), as the demo
users see them, for ``docs/agent-guide.md``; and the width of each page, which must not exceed
the window's (nothing scrolls sideways).

Against a running site with the demo data (``manage.py seed_demo``), with the same settings in the
environment (the script looks up the demo objects' ids in the database)::

    .venv/bin/python -m tests.support.screenshots --base http://127.0.0.1:8000 --out docs/img/pages

Pages are taken whole, down to ``MAX_HEIGHT`` pixels. ``--only users`` takes the pages whose name
contains ``users``. It prints each page's document
width at each size and exits non-zero if one is wider than the window.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Long lists (a queue, the SLA board) are cut here: the layout shows in the first screens, and
# the files stay small.
MAX_HEIGHT = 1600
SIZES = {"1366": {"width": 1366, "height": 768}, "390": {"width": 390, "height": 844}}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PASSWORD = "demo"  # noqa: S105 - the demo seeders' password
LOGINS = {
    "admin": "admin@example.com",
    "agent": "agent@example.com",
    "pm": "pm@example.com",
    "customer": "customer@example.com",
}


@dataclass(frozen=True)
class Shot:
    name: str  # the file name's stem
    role: str
    url: Callable[[], str]


def _ids() -> dict[str, object]:
    """The demo objects the pages show, looked up once."""
    from django.db.models import Count

    from customers.models import Customer, Organization
    from integrations.models import WebhookSubscription
    from tickets.models import Message, MessageKind, Ticket

    ticket = (
        Ticket.objects.filter(messages__kind=MessageKind.NOTE, status__in=["open", "pending"])
        .annotate(n=Count("messages"))
        .order_by("-n", "pk")
        .first()
    )
    other = Ticket.objects.exclude(pk=ticket.pk).filter(status="open").order_by("pk").first()
    reply = Message.objects.filter(ticket=ticket, kind=MessageKind.REPLY).order_by("pk").first()
    customer = ticket.requester
    organization = customer.organization or Organization.objects.order_by("pk").first()
    portal = Customer.objects.get(email=LOGINS["customer"])
    portal_ticket = Ticket.objects.filter(requester=portal).order_by("-updated_at").first()
    webhook = WebhookSubscription.objects.order_by("pk").first()
    from accounts.models import Team

    return {
        "ticket": ticket.pk,
        "other": other.pk,
        "reply": reply.pk if reply else None,
        "customer": customer.pk,
        "customer_name": customer.name.split()[0] if customer.name else "a",
        "organization": organization.pk if organization else None,
        "portal_ticket": portal_ticket.pk if portal_ticket else None,
        "webhook": webhook.pk if webhook else None,
        "team": Team.objects.order_by("pk").values_list("pk", flat=True).first(),
    }


def shots(ids: dict) -> list[Shot]:
    t = ids["ticket"]
    shots = [
        Shot("queue", "agent", lambda: "/agent/queues/all/"),
        Shot("queue-filters", "agent", lambda: "/agent/queues/all/?organization=Example+Corp"),
        Shot("sla-board", "agent", lambda: "/sla/at-risk/"),
        Shot("ticket", "agent", lambda: f"/agent/tickets/{t}/"),
        Shot("ticket-merge", "agent", lambda: f"/agent/tickets/{t}/merge/?into={ids['other']}"),
        Shot("customer", "agent", lambda: f"/agent/people/customers/{ids['customer']}/"),
        Shot(
            "customer-merge",
            "agent",
            lambda: f"/agent/people/customers/{ids['customer']}/merge/?q={ids['customer_name']}",
        ),
        Shot("search-people", "agent", lambda: f"/agent/search/?q={ids['customer_name']}"),
        Shot("new-ticket", "agent", lambda: "/agent/tickets/new/"),
        Shot("admin-refused", "agent", lambda: "/agent/admin/users/"),
        Shot("users", "admin", lambda: "/agent/admin/users/"),
        Shot("teams", "admin", lambda: "/agent/admin/teams/"),
        Shot("team", "admin", lambda: f"/agent/admin/teams/{ids['team']}/"),
        Shot("webhooks", "admin", lambda: "/integrations/webhooks/"),
        Shot("webhook-new", "admin", lambda: "/integrations/webhooks/new/"),
        Shot("branding", "admin", lambda: "/agent/admin/branding/"),
        Shot("mail-templates", "admin", lambda: "/agent/admin/mail-templates/"),
        Shot("mail-template", "admin", lambda: "/agent/admin/mail-templates/customer_reply/en/"),
        Shot("pm-feedback", "pm", lambda: "/feedback/"),
        Shot("portal-ticket", "customer", lambda: f"/portal/tickets/{ids['portal_ticket']}/"),
    ]
    if ids["reply"]:
        shots.insert(
            4,
            Shot(
                "forward", "agent", lambda: f"/agent/tickets/{t}/messages/{ids['reply']}/forward/"
            ),
        )
    if ids["organization"]:
        shots.insert(
            6,
            Shot(
                "organization",
                "agent",
                lambda: f"/agent/people/organizations/{ids['organization']}/",
            ),
        )
    if ids["webhook"]:
        shots.append(Shot("webhook", "admin", lambda: f"/integrations/webhooks/{ids['webhook']}/"))
    return shots


def sign_in(context, base: str, role: str):
    page = context.new_page()
    page.goto(f"{base}/login/" + ("?next=/portal/" if role == "customer" else ""))
    page.fill("input[name=username]", LOGINS[role])
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/img/pages")
    parser.add_argument("--only", default="")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings")
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    wide = []
    todo = [s for s in shots(_ids()) if args.only in s.name]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = {}
        for shot in todo:
            if shot.role not in pages:
                context = browser.new_context(viewport=SIZES["1366"], locale="en-GB")
                pages[shot.role] = sign_in(context, args.base, shot.role)
            page = pages[shot.role]
            for label, viewport in SIZES.items():
                page.set_viewport_size(viewport)
                response = page.goto(args.base + shot.url())
                page.wait_for_load_state("networkidle")
                width = page.evaluate("document.documentElement.scrollWidth")
                flag = "" if width <= viewport["width"] else "  WIDER THAN THE WINDOW"
                print(f"{shot.name}-{label}: {response.status} {page.url} width {width}{flag}")
                if flag:
                    wide.append(f"{shot.name} at {label}: {width}")
                height = page.evaluate("document.documentElement.scrollHeight")
                page.screenshot(
                    path=out / f"{shot.name}-{label}.png",
                    full_page=True,
                    clip={
                        "x": 0,
                        "y": 0,
                        "width": viewport["width"],
                        "height": min(height, MAX_HEIGHT),
                    },
                )
        browser.close()
    if wide:
        print("wider than the window:\n  " + "\n  ".join(wide), file=sys.stderr)
    return 1 if wide else 0


if __name__ == "__main__":
    sys.exit(main())
