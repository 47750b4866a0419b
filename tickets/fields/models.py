"""Custom ticket fields: admin-defined facts a team cares about (browser, plan, order number).

A ticket keeps its values in one JSON column, ``Ticket.fields`` (``{"browser": "chrome"}``):
choice fields store the choice's stable ``value``, never its label, so a choice can be renamed
or retired without rewriting a single ticket or event.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from support import clock


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DECIMAL = "decimal", _("Decimal")
    CHECKBOX = "checkbox", _("Checkbox")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    PATTERN = "pattern", _("Text checked by a pattern")


CHOICE_KINDS = (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)


class TicketField(models.Model):
    key = models.SlugField(
        max_length=32,
        unique=True,
        help_text="How the API and filters name it (?field.browser=chrome); can't change.",
    )
    kind = models.CharField(max_length=16, choices=FieldKind.choices, default=FieldKind.TEXT)
    label = models.CharField(max_length=100, help_text="What agents see.")
    help_text = models.CharField(max_length=300, blank=True)
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
    pattern = models.CharField(
        max_length=200, blank=True, help_text="A regular expression the whole value must match."
    )
    position = models.PositiveIntegerField(default=100)
    # An archived field keeps its values on tickets but is offered on no form.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FieldKind.values), name="ticket_field_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind=FieldKind.PATTERN) | ~Q(pattern=""),
                name="ticket_field_pattern_has_pattern",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label_for_customers(self) -> str:
        return self.customer_label or self.label


class FieldChoice(models.Model):
    """One value of a choice field. ``value`` is what tickets store and never changes; the
    label can be renamed, and a retired choice is offered no more but reads as before."""

    field = models.ForeignKey(TicketField, on_delete=models.CASCADE, related_name="choices")
    value = models.SlugField(max_length=64)
    label = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=100)
    retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["field", "value"],
                name="field_choice_value_unique",
                violation_error_message="This field already has a choice with this value.",
            )
        ]

    def __str__(self) -> str:
        return self.label


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
