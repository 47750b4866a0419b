"""A catalog and two ticket forms, as an admin would make them (shared by the forms tests)."""

from __future__ import annotations

from dataclasses import dataclass

from products.models import Product, Version
from tests import factories
from tickets.fields.models import FieldKind, TicketField, TicketForm
from tickets.fields.services import field_save
from tickets.fields.ticket_forms import form_save


@dataclass
class Setup:
    admin: object
    cloud: Product
    v41: Version
    v42: Version
    browser: TicketField
    invoice: TicketField
    bug: TicketForm
    billing: TicketForm


def make_forms() -> Setup:
    admin = factories.AdminFactory()
    cloud = factories.ProductFactory(name="Cloud")
    v41 = factories.VersionFactory(product=cloud, name="4.1")
    v42 = factories.VersionFactory(product=cloud, name="4.2")
    browser = field_save(
        field=TicketField(
            key="browser",
            kind=FieldKind.CHOICE,
            label="Browser",
            customer_label="Your browser",
            customer_help_text="The one you saw it in.",
            customer_visible=True,
            customer_editable=True,
        ),
        choices=[
            {"value": "firefox", "label": "Firefox"},
            {"value": "chrome", "label": "Chrome"},
            {"value": "ie", "label": "Internet Explorer", "retired": True},
        ],
        by=admin,
    )
    invoice = field_save(
        field=TicketField(
            key="invoice",
            kind=FieldKind.PATTERN,
            pattern=r"INV-\d{4,8}",
            label="Invoice number",
            customer_visible=True,
            customer_editable=True,
        ),
        by=admin,
    )
    bug = form_save(
        form=TicketForm(name="Bug report", description="Something doesn't work.", position=1),
        items=[
            {"key": "product"},
            {"key": "version", "required": True},
            {"key": "browser", "required": True},
        ],
        by=admin,
    )
    billing = form_save(
        form=TicketForm(name="Billing question", position=2),
        items=[{"key": "invoice", "required": True}],
        by=admin,
    )
    return Setup(admin, cloud, v41, v42, browser, invoice, bug, billing)
