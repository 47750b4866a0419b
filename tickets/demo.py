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
from tickets.models import Channel, Priority, Status, TicketType
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
TOPICS = {
    "Customer Support": [
        ("How do I invite teammates to our workspace?", "onboarding"),
        ("Can't find the export button", "how-to"),
        ("Changing the owner of our account", "account"),
        ("Where do I change notification settings?", "how-to"),
        ("Request: dark mode for the dashboard", "feature-request"),
        ("Password reset mail never arrives", "login"),
    ],
    "Billing": [
        ("Charged twice for the {month} invoice", "billing"),
        ("Need a VAT number on our invoices", "invoice"),
        ("Upgrade from Team to Business plan", "upgrade"),
        ("Refund for unused seats", "refund"),
        ("Credit card declined at renewal", "billing"),
    ],
    "Technical Support": [
        ("API returns 502 when listing projects", "api"),
        ("SSO login fails with SAML error", "sso"),
        ("Webhook deliveries delayed by hours", "webhooks"),
        ("CSV import stops at row 10,000", "import"),
        ("Mobile app crashes on startup (Android 15)", "mobile"),
        ("Search results missing recent documents", "search"),
        ("Slow dashboard load since yesterday", "performance"),
    ],
}
OPENERS = [
    "Hi,\n\n{problem}\n\nCould you take a look? This is blocking {who}.\n\nThanks,\n{name}",
    "Hello support team,\n\n{problem} We noticed it {when}.\n\nBest regards,\n{name}",
    "{problem}\n\nAny idea what's going on?\n\n{name}",
]
AGENT_REPLIES = [
    "Hi {first},\n\nThanks for reaching out. I've looked into this and {finding}. "
    "Could you confirm whether that matches what you see?\n\nBest,\n{agent}",
    "Hello {first},\n\nSorry for the trouble. {finding}. I'll keep this ticket open until "
    "we're sure it's resolved.\n\n{agent}",
    "Hi {first},\n\nGood news: {finding}. Let me know if anything else comes up."
    "\n\nCheers,\n{agent}",
]
FINDINGS = [
    "the issue comes from a setting on your account, which I've now corrected",
    "our engineers identified a bug in last week's release; a fix is scheduled",
    "this happens when the browser cache holds an old session",
    "the limit you hit is configurable on the Business plan",
    "we have reproduced it and passed it to the product team",
]
CUSTOMER_FOLLOWUPS = [
    "Thanks, that worked!",
    "Still seeing the same problem, unfortunately. Screenshot attached.",
    "Could you give me an estimate for the fix?",
    "Following up on this — any news?",
    "Confirmed, everything looks good now.",
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
    subject, tag = rng.choice(TOPICS[team_name])
    subject = subject.format(month=fake.month_name())
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
                problem=fake.paragraph(nb_sentences=3),
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
            ticket_reply(ticket=ticket, body=_agent_reply(rng, ticket, agent), by=agent)
        with step(30, 1800):
            ticket_reply(
                ticket=ticket,
                body=rng.choice(CUSTOMER_FOLLOWUPS),
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
            body=_agent_reply(rng, ticket, agent),
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


def _agent_reply(rng: random.Random, ticket, agent: User) -> str:
    return rng.choice(AGENT_REPLIES).format(
        first=ticket.requester.first_name,
        finding=rng.choice(FINDINGS),
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
