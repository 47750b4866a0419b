"""The base of the demo data: teams, agents, organizations, customers and their tickets.

Everything is written through the services, with the clock moved back so the history spans the
last 60 days. ``manage.py seed_demo`` (support/) runs this first, then each area's demo module,
with events recorded but not published: nobody is mailed about old demo tickets.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from faker import Faker

from accounts.models import Availability, Role, Team, User
from accounts.services import team_add_member, team_create, user_create
from customers.models import Customer, Organization
from customers.services import customer_create, organization_create
from support import clock
from tickets.models import Channel, MessageKind, Priority, Status, TicketType
from tickets.services import (
    ticket_assign,
    ticket_change_status,
    ticket_create,
    ticket_note,
    ticket_reply,
    ticket_set_tags,
)

DEMO_PASSWORD = "demo"  # noqa: S105 - demo data only; seed_demo refuses to run on HTTPS sites

TEAMS = [
    ("Customer Support", "support@example.com"),
    ("Billing", "billing@example.com"),
    ("Technical Support", "tech@example.com"),
]
# Per team: (subject, tag, what the customer writes, what the agent finds). The agent's findings
# fit "I've looked into this and {finding}" as well as "Good news: {finding}".
TOPICS = {
    "Customer Support": [
        (
            "How do I invite teammates to our workspace?",
            "onboarding",
            "We just signed up and I'd like to add four colleagues, but I can't find where to "
            "invite them. The Members page only lists me.",
            [
                "invitations are sent from Settings → Members → Invite; only owners and admins "
                "see that button, and I've made you an admin",
                "your plan's seat limit was reached, so the Invite button was hidden; I've "
                "added four seats so you can invite everyone",
            ],
        ),
        (
            "Can't find the export button",
            "how-to",
            "The help article says there's an Export button on the Reports page, but I only see "
            "Filter and Share. Has it moved?",
            [
                "the Export button moved into the ⋯ menu at the top right of each report in "
                "last week's release",
                "exports are switched off for your workspace by an admin setting; I've asked "
                "your account owner to turn them on",
            ],
        ),
        (
            "Changing the owner of our account",
            "account",
            "Our former office manager owned the account and has left the company. I need to "
            "become the owner so I can manage billing.",
            [
                "ownership can be moved once the current owner confirms, or with a signed "
                "request from a director; I've sent you the form",
                "I've moved the ownership to you after checking the signed request you sent",
            ],
        ),
        (
            "Where do I change notification settings?",
            "how-to",
            "I get an email for every comment on every project and it's flooding my inbox. "
            "I only want mail when someone mentions me.",
            [
                "you can choose 'Mentions only' under Profile → Notifications; it applies to "
                "every project at once",
                "project owners can override personal settings; the 'Launch' project was set "
                "to notify everyone, and I've reset it",
            ],
        ),
        (
            "Request: dark mode for the dashboard",
            "feature-request",
            "Several of us work late shifts and the bright dashboard is hard on the eyes. "
            "Is a dark theme planned?",
            [
                "a dark theme is on the roadmap for next quarter, and I've added your vote "
                "to the request",
                "the browser extension we recommend in the help centre gives a dark dashboard "
                "until the built-in theme ships",
            ],
        ),
        (
            "Password reset mail never arrives",
            "login",
            "I've asked for a password reset three times this morning and no mail has arrived, "
            "not even in the spam folder.",
            [
                "your mail server rejected our reset mails as bulk mail; I've whitelisted the "
                "address and sent a new link",
                "the account is registered under your old address, so the mails went there; "
                "I've changed it to your current one",
            ],
        ),
    ],
    "Billing": [
        (
            "Charged twice for the {month} invoice",
            "billing",
            "Our card statement shows two charges of the same amount for the {month} invoice. "
            "We only have one subscription.",
            [
                "the second charge was a pre-authorisation that your bank will release within "
                "five working days",
                "a retry after a timeout charged the card twice; I've refunded the duplicate, "
                "which shows up in 3–5 days",
            ],
        ),
        (
            "Need a VAT number on our invoices",
            "invoice",
            "Our accounts team can't book your invoices without our VAT number on them. "
            "Can you add it, and reissue the last three?",
            [
                "I've added your VAT number to the billing profile and reissued the last "
                "three invoices, which you'll find under Billing → Invoices",
                "the VAT number you entered failed the EU VIES check; once it validates, "
                "the invoices are reissued automatically",
            ],
        ),
        (
            "Upgrade from Team to Business plan",
            "upgrade",
            "We'd like to move to the Business plan this month. Will we be charged the full "
            "price or only the difference for the rest of the year?",
            [
                "an upgrade is prorated: you pay only the difference for the months left on "
                "your yearly term",
                "I've upgraded you to Business with the prorated difference on the next invoice",
            ],
        ),
        (
            "Refund for unused seats",
            "refund",
            "We reduced our team from 25 to 18 people in spring but kept paying for 25 seats. "
            "Can we get the difference back?",
            [
                "seats are billed until they're removed, but as a goodwill gesture I've "
                "credited the last two months of the seven unused seats",
                "I've removed the unused seats, so your next invoice is for 18",
            ],
        ),
        (
            "Credit card declined at renewal",
            "billing",
            "We got a mail saying our renewal failed because the card was declined. The card "
            "is valid and has enough credit.",
            [
                "the bank asked for a 3-D Secure confirmation that the automatic renewal can't "
                "give; paying once from Billing → Pay now fixes it",
                "the card's billing postcode didn't match the one on file; I've updated it and "
                "the renewal went through",
            ],
        ),
    ],
    "Technical Support": [
        (
            "API returns 502 when listing projects",
            "api",
            "GET /v2/projects returns a 502 Bad Gateway for about a third of our requests since "
            "this morning. Smaller pages seem to work.",
            [
                "requests with page_size above 200 hit a timeout in one region; our engineers "
                "have deployed a fix",
                "the 502s came from a load balancer being replaced; error rates are back to "
                "normal since 11:40 UTC",
            ],
        ),
        (
            "SSO login fails with SAML error",
            "sso",
            "Since we renewed our Okta certificate nobody can log in with SSO. The page shows "
            "'SAML response signature invalid'.",
            [
                "the new certificate from Okta has to be uploaded on our side too; I've "
                "replaced the old one and logins work again",
                "your identity provider signs with SHA-1, which we stopped accepting; switching "
                "Okta to SHA-256 fixes it",
            ],
        ),
        (
            "Webhook deliveries delayed by hours",
            "webhooks",
            "Our webhook endpoint receives events two to three hours late. Our server answers "
            "in under a second, so the delay isn't on our side.",
            [
                "a backlog in our delivery queue built up after an outage; it has caught up "
                "and deliveries are instant again",
                "your endpoint returned 429 to bursts of events, so our retries backed off; "
                "raising your rate limit fixes the delay",
            ],
        ),
        (
            "CSV import stops at row 10,000",
            "import",
            "Importing our customer list stops after exactly 10,000 rows without an error. "
            "The file has 14,212 rows.",
            [
                "the web importer is limited to 10,000 rows per file; splitting the file in "
                "two, or using the API, imports everything",
                "the limit you hit is configurable on the Business plan, and I've raised it "
                "for your workspace",
            ],
        ),
        (
            "Mobile app crashes on startup (Android 15)",
            "mobile",
            "After updating to Android 15 the app closes immediately after the splash screen. "
            "Reinstalling didn't help.",
            [
                "version 4.12 of the app, out today, fixes a crash on Android 15 when "
                "notifications are off",
                "our engineers reproduced the crash on Android 15 and a fix is in review",
            ],
        ),
        (
            "Search results missing recent documents",
            "search",
            "Documents we uploaded yesterday don't show up in search, even when I type the "
            "exact title. Older documents are found.",
            [
                "indexing was paused for your workspace after a failed upload; I've restarted "
                "it and every document is searchable again",
                "new documents are indexed within 15 minutes, but a stuck job held yours; "
                "they're all in the index now",
            ],
        ),
        (
            "Slow dashboard load since yesterday",
            "performance",
            "The dashboard takes 20–30 seconds to load since yesterday afternoon, for everyone "
            "in our office. Other pages are fine.",
            [
                "one widget was recalculating a year of data on every load; it's cached "
                "again and the dashboard loads in about a second",
                "this happens when the browser cache holds an old version of the dashboard; "
                "a hard refresh (Ctrl+Shift+R) fixes it",
            ],
        ),
    ],
}
OPENERS = [
    "Hi,\n\n{problem}\n\nCould you take a look? This is blocking {who}.\n\nThanks,\n{name}",
    "Hello support team,\n\n{problem} We noticed it {when}.\n\nBest regards,\n{name}",
    "{problem}\n\nAny idea what's going on?\n\n{name}",
]
# The agent's first answer, then the ones after a customer's follow-up.
AGENT_REPLIES = [
    "Hi {first},\n\nThanks for reaching out. I've looked into this and {finding}. "
    "Could you confirm whether that matches what you see?\n\nBest,\n{agent}",
    "Hello {first},\n\nSorry for the trouble. {Finding}. I'll keep this ticket open until "
    "we're sure it's resolved.\n\n{agent}",
]
AGENT_FOLLOWUPS = [
    "Hi {first},\n\nThanks for getting back to me. I checked again, and {finding}. "
    "Let me know if anything else comes up.\n\nCheers,\n{agent}",
    "Hi {first},\n\nAn update from our side: {finding}. I'll check in with you again "
    "tomorrow.\n\n{agent}",
]
CUSTOMER_FOLLOWUPS = [
    "Thanks, that worked! Everyone on the team can get on with their day again.\n\n{first}",
    "Still seeing the same problem, unfortunately. I tried again just now with the same "
    "result.\n\n{first}",
    "Thanks for the quick answer. Could you give me an estimate for when the fix is "
    "out?\n\n{first}",
    "Hi again, just following up on this — is there any news?\n\n{first}",
    "Confirmed, everything looks good on our side now. Thanks for your help!\n\n{first}",
]
NOTES = [
    "Checked the logs: requests from this account hit the rate limiter at 09:14 UTC.",
    "Escalated to engineering, see internal bug ENG-{n}.",
    "Customer is on the Enterprise plan — renewal next month, handle with care.",
    "Duplicate of an earlier report from the same organization.",
]
STATUS_WEIGHTS = {
    Status.NEW: 12,
    Status.OPEN: 22,
    Status.PENDING: 12,
    Status.ON_HOLD: 6,
    Status.SOLVED: 20,
    Status.CLOSED: 28,
}
PRIORITY_WEIGHTS = {Priority.LOW: 20, Priority.NORMAL: 55, Priority.HIGH: 18, Priority.URGENT: 7}


def seed(*, rng: random.Random, tickets: int = 400, faker_seed: int = 42) -> None:
    """Staff, customers and ``tickets`` tickets with their conversations (call it with events
    suppressed, as ``seed_demo`` does)."""
    fake = Faker()
    fake.seed_instance(faker_seed)
    now = clock.now()
    start = now - timedelta(days=60)
    with clock.travel(start - timedelta(days=1)), transaction.atomic():
        teams, agents = _staff(fake, rng)
        customers = _customers(fake, rng)
    for n in range(tickets):
        with transaction.atomic():
            _ticket(n, fake, rng, teams, agents, customers, start, now)


# --- people ---------------------------------------------------------------------------------------


def _staff(fake: Faker, rng: random.Random):
    admin = user_create(
        email="admin@example.com", name="Ada Admin", role=Role.ADMIN, password=DEMO_PASSWORD
    )
    admin.superuser = True  # the demo's admin may open Django's /admin/ (a repair tool)
    admin.save(update_fields=["superuser"])
    agent = user_create(
        email="agent@example.com", name="Alex Agent", role=Role.AGENT, password=DEMO_PASSWORD
    )
    agents = [agent]
    for _ in range(7):
        name = fake.unique.name()
        local = "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".")
        email = f"{local}@example.com"
        agents.append(user_create(email=email, name=name, role=Role.AGENT, password=DEMO_PASSWORD))
    teams = {}
    for index, (name, email) in enumerate(TEAMS):
        team = team_create(name=name, email=email)
        members = agents[index * 3 : index * 3 + 3] or agents[-2:]
        for member in members:
            team_add_member(team=team, user=member)
        team.lead = members[0]
        team.save(update_fields=["lead"])
        teams[name] = team
    # The demo agent works every queue; the admin sits in support.
    for team in teams.values():
        team_add_member(team=team, user=agent)
    team_add_member(team=teams["Customer Support"], user=admin)
    for member in agents:
        member.availability = rng.choice(list(Availability.values))
        member.save(update_fields=["availability"])
    return teams, agents


def _customers(fake: Faker, rng: random.Random) -> list[Customer]:
    organizations: list[Organization] = [
        organization_create(name="Example Corp", domains=["example.net"])
    ]
    while len(organizations) < 30:
        name = fake.unique.company()
        slug = "".join(c for c in name.lower() if c.isalnum())[:20]
        organizations.append(organization_create(name=name, domains=[f"{slug}.example.org"]))
    customers = [
        customer_create(
            email="customer@example.com",
            name="Casey Customer",
            organization=organizations[0],
        )
    ]
    customer_user = user_create(
        email="customer@example.com",
        name="Casey Customer",
        role=Role.CUSTOMER,
        password=DEMO_PASSWORD,
    )
    customers[0].user = customer_user
    customers[0].save(update_fields=["user"])
    while len(customers) < 300:
        first, last = fake.first_name(), fake.last_name()
        if rng.random() < 0.85:
            org = rng.choice(organizations)
            domain = org.domains.first().domain
        else:
            domain = rng.choice(["mail.example.com", "inbox.example.com"])
        email = f"{first}.{last}{rng.randint(1, 999)}@{domain}".lower()
        if Customer.objects.filter(email=email).exists():
            continue
        customers.append(
            customer_create(email=email, name=f"{first} {last}", phone=fake.phone_number())
        )
    return customers


# --- tickets --------------------------------------------------------------------------------------


def _ticket(n, fake, rng, teams, agents, customers, start, now) -> None:
    team_name = rng.choice(list(TOPICS))
    team: Team = teams[team_name]
    subject, tag, problem, findings = rng.choice(TOPICS[team_name])
    month = fake.month_name()
    subject, problem = subject.format(month=month), problem.format(month=month)
    requester = customers[0] if n % 25 == 0 else rng.choice(customers)
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    age_days = rng.uniform(0.05, 59.5)
    if status in (Status.CLOSED,):
        age_days = max(age_days, 10)
    when = now - timedelta(days=age_days)
    members = list(team.members.all())
    assignee = rng.choice(members) if status != Status.NEW or rng.random() < 0.3 else None

    def step(minutes_min: int, minutes_max: int):
        nonlocal when
        when = min(when + timedelta(minutes=rng.randint(minutes_min, minutes_max)), now)
        return clock.travel(when)

    with clock.travel(when):
        ticket = ticket_create(
            requester=requester,
            by=requester,
            subject=subject,
            body=rng.choice(OPENERS).format(
                problem=problem,
                who=rng.choice(["our whole team", "a customer launch", "month-end close"]),
                when=rng.choice(["this morning", "after the last update", "since Monday"]),
                name=requester.display_name,
            ),
            channel=rng.choice(
                [Channel.EMAIL, Channel.EMAIL, Channel.PORTAL, Channel.WEB, Channel.API]
            ),
            priority=rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[
                0
            ],
            type=rng.choice(list(TicketType.values)),
            team=team,
            tags=[tag] + ([rng.choice(["vip", "churn-risk", "bug"])] if rng.random() < 0.2 else []),
            attachments=_maybe_attachment(rng, n),
        )
    if status == Status.NEW:
        if assignee:
            with step(5, 60):
                ticket_assign(ticket=ticket, assignee=assignee, by=None)
        return
    agent = assignee or rng.choice(members)
    with step(10, 600):
        ticket_assign(ticket=ticket, assignee=agent, by=agent)
    if rng.random() < 0.35:
        with step(5, 120):
            ticket_note(
                ticket=ticket, body=rng.choice(NOTES).format(n=rng.randint(100, 999)), by=agent
            )
    rounds = rng.randint(0, 2)
    for _ in range(rounds):
        with step(15, 900):
            ticket_reply(ticket=ticket, body=_agent_reply(rng, ticket, agent, findings), by=agent)
        with step(30, 1800):
            ticket_reply(
                ticket=ticket,
                body=rng.choice(CUSTOMER_FOLLOWUPS).format(first=requester.first_name),
                by=requester,
                attachments=_maybe_attachment(rng, n + 1000),
            )
    final = {
        Status.OPEN: Status.OPEN,
        Status.PENDING: Status.PENDING,
        Status.ON_HOLD: Status.OPEN,
        Status.SOLVED: Status.SOLVED,
        Status.CLOSED: Status.SOLVED,
    }[status]
    with step(15, 900):
        ticket_reply(
            ticket=ticket,
            body=_agent_reply(rng, ticket, agent, findings),
            by=agent,
            status=final if final != Status.OPEN else None,
        )
    if status == Status.ON_HOLD:
        with step(5, 60):
            ticket_change_status(ticket=ticket, status=Status.ON_HOLD, by=agent)
    if status == Status.CLOSED:
        with step(60 * 24 * 4, 60 * 24 * 5):
            ticket_change_status(ticket=ticket, status=Status.CLOSED, by=None)
    if rng.random() < 0.1 and ticket.status != Status.CLOSED:
        with step(1, 30):
            ticket_set_tags(ticket=ticket, add=["follow-up"], by=agent)


def _agent_reply(rng: random.Random, ticket, agent: User, findings: list[str]) -> str:
    finding = rng.choice(findings)
    first_answer = not ticket.messages.filter(
        kind=MessageKind.REPLY, author_user__isnull=False
    ).exists()
    return rng.choice(AGENT_REPLIES if first_answer else AGENT_FOLLOWUPS).format(
        first=ticket.requester.first_name,
        finding=finding,
        Finding=finding[0].upper() + finding[1:],
        agent=agent.display_name,
    )


def _maybe_attachment(rng: random.Random, n: int):
    roll = rng.random()
    if roll < 0.04:
        return [SimpleUploadedFile(f"error-{n}.log", _log_text(rng).encode(), "text/plain")]
    if roll < 0.07:
        return [SimpleUploadedFile(f"screenshot-{n}.png", _tiny_png(rng), "image/png")]
    return []


def _log_text(rng: random.Random) -> str:
    lines = []
    for i in range(12):
        level = rng.choice(["INFO", "INFO", "WARN", "ERROR"])
        stamp = f"2026-11-0{rng.randint(1, 9)}T10:{i:02d}:00Z"
        lines.append(f"{stamp} {level} request_id={rng.getrandbits(32):08x}")
    return "\n".join(lines) + "\n"


def _tiny_png(rng: random.Random) -> bytes:
    """A real 64x40 PNG of one random colour, made without an imaging library."""
    import struct
    import zlib

    width, height = 64, 40
    colour = bytes(rng.randrange(256) for _ in range(3))
    raw = b"".join(b"\x00" + colour * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
