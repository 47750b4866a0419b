"""Custom ticket fields: admin-defined facts a team cares about (browser, plan, order number).

A ticket keeps its values in one JSON column, ``Ticket.fields`` (``{"browser": "chrome"}``):
choice fields store the choice's stable ``value``, never its label, so a choice can be renamed
or retired without rewriting a single ticket or event.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from support import clock
from support.customfields import CHOICE_KINDS, FieldChoiceBase, FieldDefinition, FieldKind

__all__ = ["CHOICE_KINDS", "FieldKind"]


class TicketField(FieldDefinition):
    """A custom ticket field; kinds, validation and choices are shared with the organization
    and customer fields (``support.customfields``)."""

    key = models.SlugField(
        max_length=32,
        unique=True,
        help_text="How the API and filters name it (?field.browser=chrome); can't change.",
    )
    customer_label = models.CharField(
        max_length=100, blank=True, help_text="What customers see (the label when empty)."
    )
    customer_help_text = models.CharField(max_length=300, blank=True)
    customer_visible = models.BooleanField(default=False)
    customer_editable = models.BooleanField(default=False)
    required_on_submit = models.BooleanField(
        default=False, help_text="A customer must fill it in to file a request."
    )
    required_on_solve = models.BooleanField(
        default=False, help_text="An agent must fill it in to solve the ticket."
    )

    class Meta(FieldDefinition.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FieldKind.values), name="ticket_field_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=FieldKind.PATTERN) | ~Q(pattern=""),
                name="ticket_field_pattern_has_pattern",
            ),
        ]

    @property
    def label_for_customers(self) -> str:
        return self.customer_label or self.label


class FieldChoice(FieldChoiceBase):
    """One value of a ticket choice field (see :class:`~support.customfields.FieldChoiceBase`)."""

    field = models.ForeignKey(TicketField, on_delete=models.CASCADE, related_name="choices")

    class Meta(FieldChoiceBase.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["field", "value"],
                name="field_choice_value_unique",
                violation_error_message="This field already has a choice with this value.",
            )
        ]


# Product, version and component are ticket columns, not custom fields, but a form lists them
# beside the custom fields (a "Bug report" asks for the version) under these keys.
BUILTIN_KEYS = ("product", "version", "component")


class TicketForm(models.Model):
    """A named, ordered set of fields for one kind of request ("Bug report": product, version,
    browser, steps). The portal and the agent's New ticket page show the chosen form's fields;
    the ticket keeps the form it was filed with (``Ticket.form``)."""

    name = models.CharField(max_length=100, unique=True, help_text="What agents see.")
    customer_name = models.CharField(
        max_length=100, blank=True, help_text="What customers see (the name when empty)."
    )
    description = models.CharField(
        max_length=300, blank=True, help_text="A sentence for customers choosing a form."
    )
    customer_visible = models.BooleanField(
        default=True, help_text="Customers can choose it in the portal."
    )
    position = models.PositiveIntegerField(default=100)
    # An archived form stays on the tickets filed with it but is offered for no new ticket.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name_for_customers(self) -> str:
        return self.customer_name or self.name


class TicketFormField(models.Model):
    """One field of a form, in its place: a custom field's key or one of :data:`BUILTIN_KEYS`
    (keys never change, so a form names its fields by key). ``required``: a customer filing
    through this form must fill it in (beside the field's own ``required_on_submit``)."""

    form = models.ForeignKey(TicketForm, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=32)
    required = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="ticket_form_field_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} on {self.form}"
