"""Tickets by an organization field (issue 17): the tickets created in the range grouped by
their organization's value of each single-choice organization field (plan, region) — one
grouped query per field, over the JSON value on the organization's row (joined once), for at
most :data:`MAX_FIELDS` fields."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customers import fields as profile
from customers.models import ProfileField
from reports.filters import ReportFilter
from reports.tables import Table
from support.customfields import FieldKind, choices_of
from tickets.models import OPEN_STATUSES

MAX_FIELDS = 3
NOT_SET = _("Not set")


def grouped_fields() -> list[ProfileField]:
    """The active single-choice organization fields, in order: the ones a report groups by."""
    fields = profile.fields_for(ProfileField.Target.ORGANIZATION).values()
    return [f for f in fields if f.active and f.kind == FieldKind.CHOICE][:MAX_FIELDS]


def tickets_by_organization_field(f: ReportFilter, field: ProfileField) -> list[dict]:
    """Per value of ``field`` on the ticket's organization: created in range, and of those
    solved and still open; tickets without an organization or a value under ``None``."""
    return list(
        f.created()
        .annotate(value=KeyTextTransform(field.key, "organization__fields"))
        .values("value")
        .annotate(
            created=Count("id"),
            solved=Count("id", filter=Q(solved_at__isnull=False)),
            open_now=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        )
        .order_by("-created", "value")
    )


def organization_field_tables(f: ReportFilter) -> list[Table]:
    tables = []
    for field in grouped_fields():
        choices = choices_of(field)
        rows = tickets_by_organization_field(f, field)

        def label(value: str | None, choices=choices) -> str:
            if value is None:
                return NOT_SET
            choice = choices.get(value)
            return choice.label if choice else value

        tables.append(
            Table(
                f"org-{field.key}",
                format_lazy(
                    _("Per organization {field} (tickets created in range)"),
                    field=field.label.lower(),
                ),
                [field.label, _("Created"), _("Solved"), _("Open now")],
                rows=[[label(r["value"]), r["created"], r["solved"], r["open_now"]] for r in rows],
                csv_headers=[field.key, "label", "created", "solved", "open_now"],
                csv_rows=[
                    [r["value"] or "", label(r["value"]), r["created"], r["solved"], r["open_now"]]
                    for r in rows
                ],
            )
        )
    return tables
