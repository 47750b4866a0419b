"""Demo data: organization fields (plan, region, account value, success manager) and a customer
field (job title), filled in for the demo organizations and some contacts. Imported history:
values are written as they would be imported (no events). Idempotent: fields are found by key,
and only empty holders are filled."""

from __future__ import annotations

import random

from accounts.models import Role, User
from customers import fields as profile
from customers.models import Customer, Organization, ProfileField
from support.customfields import FieldKind

ORG = ProfileField.Target.ORGANIZATION
CUSTOMER = ProfileField.Target.CUSTOMER
PLANS = [("free", "Free"), ("team", "Team"), ("business", "Business"), ("enterprise", "Enterprise")]
REGIONS = [("emea", "EMEA"), ("americas", "Americas"), ("apac", "APAC")]
MANAGERS = ["Grace Hopper", "Katherine Johnson", "Alan Turing"]
TITLES = ["IT manager", "Developer", "Office manager", "CTO", "Support lead"]
# What a year of each plan is worth (about), for the account value.
PLAN_VALUE = {"free": 0, "team": 1_200, "business": 9_600, "enterprise": 48_000}

DEFINITIONS = [
    (ORG, "plan", FieldKind.CHOICE, "Plan", "The plan they pay for.", PLANS),
    (ORG, "region", FieldKind.CHOICE, "Region", "", REGIONS),
    (ORG, "account_value", FieldKind.DECIMAL, "Account value", "Yearly, in euros.", None),
    (ORG, "success_manager", FieldKind.TEXT, "Success manager", "", None),
    (CUSTOMER, "job_title", FieldKind.TEXT, "Job title", "", None),
]


def seed(*, rng: random.Random) -> None:
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return
    for position, (target, key, kind, label, help_text, choices) in enumerate(DEFINITIONS):
        if ProfileField.objects.filter(applies_to=target, key=key).exists():
            continue
        profile.profile_field_save(
            field=ProfileField(
                applies_to=target,
                key=key,
                kind=kind,
                label=label,
                help_text=help_text,
                position=position,
            ),
            choices=[{"value": v, "label": t} for v, t in choices] if choices else None,
            by=admin,
        )
    for org in Organization.objects.filter(fields={}).order_by("pk"):
        plan = rng.choices([v for v, _ in PLANS], weights=[2, 4, 3, 2])[0]
        values = {
            "plan": plan,
            "region": rng.choice(REGIONS)[0],
            "account_value": f"{PLAN_VALUE[plan] * rng.uniform(0.8, 1.5):.2f}",
        }
        if plan in ("business", "enterprise"):
            values["success_manager"] = rng.choice(MANAGERS)
        Organization.objects.filter(pk=org.pk).update(fields=values)
    for contact in Customer.objects.filter(fields={}).order_by("pk")[:60]:
        if rng.random() < 0.5:
            Customer.objects.filter(pk=contact.pk).update(fields={"job_title": rng.choice(TITLES)})
