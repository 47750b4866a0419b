"""Demo data for feedback: a product manager, feedback items with linked tickets and quotes, and
CSAT answers on solved tickets. Assumes the base demo data (teams, agents, customers, tickets).

Idempotent: the product manager and items are found by email/title; tickets already linked or
already surveyed are left alone. History is written through the services with the clock moved
to when it happened, and without mailing anybody.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings

from accounts.models import Role, User
from accounts.services import user_create
from support import clock
from tickets.models import Status, Ticket

from .models import FeedbackItem, ItemKind, ItemStatus, Rating
from .services import (
    csat_survey_answer,
    csat_survey_schedule,
    csat_survey_send,
    feedback_item_change_status,
    feedback_item_create,
    feedback_link_create,
)

PM_EMAIL = "pm@example.com"

# title, kind, area, status, weight (how many tickets ask for it), quotes
ITEMS: list[tuple[str, str, str, str, int, list[str]]] = [
    (
        "Single sign-on with SAML",
        ItemKind.FEATURE_REQUEST,
        "Authentication",
        ItemStatus.PLANNED,
        42,
        [
            "Our security team won't approve another password. We need SAML with Okta.",
            "Is SSO on the roadmap? It's a blocker for our enterprise rollout.",
            "We'd like to log in with Azure AD like every other tool we use.",
            "Without SSO we can't onboard the remaining 200 seats.",
        ],
    ),
    (
        "Export reports to CSV",
        ItemKind.FEATURE_REQUEST,
        "Reporting",
        ItemStatus.SHIPPED,
        18,
        [
            "Finance asks me every month for the numbers in a spreadsheet.",
            "A CSV download of the dashboard would save me an hour a week.",
        ],
    ),
    (
        "Dark mode",
        ItemKind.IMPROVEMENT,
        "Interface",
        ItemStatus.UNDER_REVIEW,
        15,
        ["The white screen is painful during night shifts.", "Please add a dark theme!"],
    ),
    (
        "Invoices show the wrong VAT for EU customers",
        ItemKind.BUG,
        "Billing",
        ItemStatus.IN_PROGRESS,
        12,
        [
            "Our invoice charged 20% VAT but we're reverse-charge in Germany.",
            "Accounting rejected the invoice because the VAT number is missing.",
        ],
    ),
    (
        "Slack integration for new tickets",
        ItemKind.FEATURE_REQUEST,
        "Integrations",
        ItemStatus.NEW,
        11,
        ["We live in Slack; a channel notification per ticket would be ideal."],
    ),
    (
        "Mobile app crashes when opening attachments",
        ItemKind.BUG,
        "Mobile",
        ItemStatus.SHIPPED,
        9,
        ["The iOS app closes whenever I tap a PDF.", "Crash on Android 14 opening images."],
    ),
    (
        "Bulk edit of user permissions",
        ItemKind.IMPROVEMENT,
        "Administration",
        ItemStatus.NEW,
        8,
        ["Changing roles for 50 people one by one takes forever."],
    ),
    (
        "Two-factor authentication by SMS",
        ItemKind.FEATURE_REQUEST,
        "Authentication",
        ItemStatus.DECLINED,
        6,
        ["Not everyone on our team has an authenticator app; SMS codes would help."],
    ),
    (
        "Webhooks for invoice events",
        ItemKind.FEATURE_REQUEST,
        "Integrations",
        ItemStatus.UNDER_REVIEW,
        5,
        ["We want our ERP to hear about paid invoices without polling."],
    ),
    (
        "Faster search in large workspaces",
        ItemKind.IMPROVEMENT,
        "Interface",
        ItemStatus.PLANNED,
        7,
        ["Search takes ten seconds for us now that we have years of data."],
    ),
    (
        "Email digest of weekly activity",
        ItemKind.FEATURE_REQUEST,
        "Notifications",
        ItemStatus.NEW,
        3,
        ["A Monday summary mail would keep managers in the loop."],
    ),
    (
        "Calendar sync drops recurring events",
        ItemKind.BUG,
        "Integrations",
        ItemStatus.NEW,
        4,
        ["Recurring meetings disappear after the first sync."],
    ),
]

IMPORTANCE_WEIGHTS = [("", 5), ("nice_to_have", 3), ("important", 3), ("blocker", 1)]
GOOD_COMMENTS = ["Quick and friendly, thanks!", "Solved on the first reply.", "", "", ""]
BAD_COMMENTS = ["It took a week to get an answer.", "The problem came back the next day.", ""]


def _pm() -> User:
    pm = User.objects.filter(email__iexact=PM_EMAIL).first()
    if pm is None:
        pm = user_create(email=PM_EMAIL, name="Priya Patel", role=Role.PRODUCT_MANAGER)
        # Signs in with the same password as the base demo's users, whatever it is.
        template = User.objects.filter(email__iexact="agent@example.com").first()
        if template is not None:
            User.objects.filter(pk=pm.pk).update(password=template.password)
    return pm


def _linker() -> User:
    """Links are made by an admin (who sees every ticket) or else the first agent."""
    return (
        User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        or User.objects.filter(role=Role.AGENT, is_active=True).order_by("pk").first()
    )


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def seed(*, rng: random.Random) -> None:
    pm = _pm()
    by = _linker()
    if by is None:
        return
    now = clock.now()
    tickets = list(Ticket.objects.order_by("pk").only("pk", "created_at", "requester_id"))
    if not tickets:
        return

    for title, kind, area, status, weight, quotes in ITEMS:
        item = FeedbackItem.objects.filter(title=title).first()
        if item is None:
            with clock.travel(now - timedelta(days=rng.randint(60, 120))):
                item = feedback_item_create(title=title, kind=kind, area=area, owner=pm, by=pm)
        if item.links.exists():
            continue
        for ticket in rng.sample(tickets, min(weight, len(tickets))):
            # Linked a little after the ticket came in, never in the future.
            when = min(ticket.created_at + timedelta(hours=rng.randint(1, 72)), now)
            quote = rng.choice(quotes) if rng.random() < 0.6 else ""
            with clock.travel(when):
                feedback_link_create(
                    ticket=ticket,
                    item=item,
                    by=by,
                    importance=_weighted(rng, IMPORTANCE_WEIGHTS),
                    quote=quote,
                )
        if status != item.status:
            with clock.travel(now - timedelta(days=rng.randint(1, 20))):
                note = {
                    ItemStatus.SHIPPED: "Available to every workspace since this week.",
                    ItemStatus.DECLINED: "We chose app-based and hardware keys for security.",
                    ItemStatus.PLANNED: "Scheduled for next quarter.",
                }.get(status, "")
                feedback_item_change_status(item=item, status=status, public_note=note, by=pm)

    _seed_csat(rng=rng, now=now)


def _seed_csat(*, rng: random.Random, now) -> None:
    delay = timedelta(minutes=settings.CSAT_DELAY_MINUTES)
    solved = (
        Ticket.objects.filter(status__in=[Status.SOLVED, Status.CLOSED], solved_at__isnull=False)
        .filter(csat_survey__isnull=True)
        .order_by("pk")
    )
    for ticket in solved:
        with clock.travel(ticket.solved_at):
            survey = csat_survey_schedule(ticket=ticket)
        if survey is None or survey.due_at > now:
            continue
        with clock.travel(survey.due_at):
            csat_survey_send(survey=survey, mail=False)
        if rng.random() > 0.45:  # about half answer
            continue
        rating = Rating.GOOD if rng.random() < 0.82 else Rating.BAD
        comment = rng.choice(GOOD_COMMENTS if rating == Rating.GOOD else BAD_COMMENTS)
        answered = min(survey.due_at + delay + timedelta(hours=rng.randint(0, 48)), now)
        with clock.travel(answered):
            csat_survey_answer(survey=survey, rating=rating, comment=comment, notify=False)
