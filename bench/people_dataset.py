"""The people of the scale data set: organizations, customers, agents in teams, and the tags.

Ids follow the highest already in use, so a load adds to whatever is there.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import Role, Team, User
from bench.pgcopy import NULL, LoadStats, copy_rows, escape, max_id, ts
from bench.text_pool import TextPool
from customers.models import Customer, Organization, OrganizationDomain
from support import clock
from tickets.models import Tag

DAY = 86400.0
# Every scale agent signs in with this (the benchmark uses sessions, not the password).
AGENT_PASSWORD = "switchboard-scale"  # noqa: S105 - a published demo password, not a secret

TAG_NAMES = (
    "billing refund invoice login password sso 2fa api webhooks export import mobile ios android "
    "bug feature-request outage performance integrations slack salesforce zapier onboarding "
    "cancellation upgrade downgrade trial gdpr security permissions notifications email-delivery "
    "spam attachments reports dashboard search sla vip enterprise partner reseller churn-risk "
    "renewal pricing discount tax shipping returns warranty hardware firmware network dns ssl "
    "migration data-loss backup restore accessibility localization how-to documentation training"
).split()


@dataclass
class People:
    org_ids: list[int]
    customer_ids: list[int]
    customer_org: list[int | None]
    team_ids: list[int]
    team_agents: dict[int, list[int]]
    tag_ids: list[int]
    start: float
    end: float


def load_people(
    cursor,
    rng: random.Random,
    text: TextPool,
    *,
    organizations: int,
    customers: int,
    agents: int,
    teams: int,
    stats: LoadStats,
    log: Callable[[str], None],
) -> People:
    """COPY the organizations (one mail domain each), customers (four in five in an
    organization), agents (the first two admins) in teams, and get or create the tags."""
    now = clock.now().timestamp()
    start = now - 3 * 365 * DAY
    org0 = max_id(cursor, Organization)
    org_ids = list(range(org0 + 1, org0 + 1 + organizations))
    copy_rows(
        cursor,
        Organization,
        ["id", "name", "created_at"],
        (f"{i}\t{escape(rng.choice(text.companies))} #{i}\t{ts(start)}" for i in org_ids),
        stats,
    )
    dom0 = max_id(cursor, OrganizationDomain)
    copy_rows(
        cursor,
        OrganizationDomain,
        ["id", "organization_id", "domain"],
        (f"{dom0 + n}\t{i}\torg{i}.scale.example" for n, i in enumerate(org_ids, 1)),
        stats,
    )

    cust0 = max_id(cursor, Customer)
    customer_ids = list(range(cust0 + 1, cust0 + 1 + customers))
    # Four in five customers belong to an organization; organization sizes are skewed.
    customer_org = [
        org_ids[int(len(org_ids) * rng.random() ** 2)] if rng.random() < 0.8 else None
        for _ in customer_ids
    ]

    def customer_rows() -> Iterator[str]:
        for cid, org in zip(customer_ids, customer_org, strict=True):
            first, last = rng.choice(text.first), rng.choice(text.last)
            domain = f"org{org}.scale.example" if org else "mail.scale.example"
            email = f"{first}.{last}.{cid}@{domain}".lower().replace(" ", "").replace("'", "")
            manager = "t" if org and rng.random() < 0.03 else "f"
            yield (
                f"{cid}\t{escape(email)}\t{escape(first + ' ' + last)}\t"
                f"{org if org else NULL}\t{manager}\t{ts(start + rng.random() * (now - start))}"
            )

    copy_rows(
        cursor,
        Customer,
        ["id", "email", "name", "organization_id", "is_org_manager", "created_at"],
        customer_rows(),
        stats,
    )

    user0 = max_id(cursor, User)
    agent_ids = list(range(user0 + 1, user0 + 1 + agents))
    password = make_password(AGENT_PASSWORD)
    copy_rows(
        cursor,
        User,
        ["id", "password", "email", "name", "role", "date_joined"],
        (
            f"{uid}\t{password}\tagent{uid}@scale.example\t"
            f"{escape(rng.choice(text.first) + ' ' + rng.choice(text.last))}\t"
            f"{Role.ADMIN if n < 2 else Role.AGENT}\t{ts(start)}"
            for n, uid in enumerate(agent_ids)
        ),
        stats,
    )
    team0 = max_id(cursor, Team)
    team_ids = list(range(team0 + 1, team0 + 1 + teams))
    team_agents: dict[int, list[int]] = {t: [] for t in team_ids}
    for n, uid in enumerate(agent_ids):
        team_agents[team_ids[n % len(team_ids)]].append(uid)
        if rng.random() < 0.1:  # some agents work in a second team
            other = rng.choice(team_ids)
            if uid not in team_agents[other]:
                team_agents[other].append(uid)
    copy_rows(
        cursor,
        Team,
        ["id", "name", "lead_id", "created_at"],
        (f"{t}\tScale team {t}\t{team_agents[t][0]}\t{ts(start)}" for t in team_ids),
        stats,
    )
    mem0 = max_id(cursor, Team.members.through)
    pairs = [(t, u) for t in team_ids for u in team_agents[t]]
    copy_rows(
        cursor,
        Team.members.through,
        ["id", "team_id", "user_id"],
        (f"{mem0 + n}\t{t}\t{u}" for n, (t, u) in enumerate(pairs, 1)),
        stats,
    )
    tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAG_NAMES]
    log(
        f"Loaded {len(org_ids)} organizations, {len(customer_ids)} customers, "
        f"{len(agent_ids)} agents in {len(team_ids)} teams, {len(tag_ids)} tags."
    )
    return People(
        org_ids=org_ids,
        customer_ids=customer_ids,
        customer_org=customer_org,
        team_ids=team_ids,
        team_agents=team_agents,
        tag_ids=tag_ids,
        start=start,
        end=now - 60,
    )
