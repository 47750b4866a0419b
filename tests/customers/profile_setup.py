"""Organization and customer fields the tests share: plan (choice), region (text), account
value (decimal), seats (number) on organizations; success manager (text) on customers."""

from __future__ import annotations

from customers import fields as profile
from customers.models import ProfileField
from support.customfields import FieldKind

ORG = ProfileField.Target.ORGANIZATION
CUSTOMER = ProfileField.Target.CUSTOMER


def define(by, *, target=ORG, key: str, kind=FieldKind.TEXT, label: str = "", choices=None, **kw):
    return profile.profile_field_save(
        field=ProfileField(applies_to=target, key=key, kind=kind, label=label or key.title(), **kw),
        choices=choices,
        by=by,
    )


def define_plan(by) -> ProfileField:
    return define(
        by,
        key="plan",
        kind=FieldKind.CHOICE,
        label="Plan",
        choices=[
            {"value": "free", "label": "Free"},
            {"value": "pro", "label": "Pro"},
            {"value": "enterprise", "label": "Enterprise"},
        ],
    )
