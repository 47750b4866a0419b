"""Demo data: which product, version and component the demo tickets are about, a routing rule
by product, custom ticket fields (browser, plan, invoice number) filled in on some tickets, and
ticket forms ("Bug report", "Billing question", "Account and access") the tickets were filed with.
Assumes the demo catalog (``products.demo``) and the base demo tickets.

Imported history: the tickets are written as having been filed about their product (no change
events), the way an import would bring them. Idempotent: tickets that already name a product
are left alone; the rule is found by name.
"""

from __future__ import annotations

import random

from accounts.models import Team
from products.models import Component, Product, Version, VersionStatus
from tickets.automation import services as automation
from tickets.automation.models import RoutingRule
from tickets.fields.models import FieldChoice, FieldKind, TicketField, TicketForm, TicketFormField
from tickets.models import Ticket

SHARE = 0.7  # about this many demo tickets name a product
RULE = "Mobile app requests to Technical Support"


def seed(*, rng: random.Random) -> None:
    products = list(Product.objects.filter(active=True).order_by("pk"))
    if not products:
        return
    versions = {p.pk: list(Version.objects.filter(product=p)) for p in products}
    components = {p.pk: list(Component.objects.filter(product=p)) for p in products}
    # Most requests are about the newest releases; a few about deprecated ones.
    weights = {
        VersionStatus.SUPPORTED: 6,
        VersionStatus.DEPRECATED: 2,
        VersionStatus.END_OF_LIFE: 1,
    }
    by_pick: dict[tuple[int, int | None, int | None], list[int]] = {}
    for pk in (
        Ticket.objects.filter(product__isnull=True).order_by("pk").values_list("pk", flat=True)
    ):
        if rng.random() > SHARE:
            continue
        product = rng.choices(products, weights=[max(1, 5 - 2 * i) for i in range(len(products))])[
            0
        ]
        options = versions[product.pk]
        version = (
            rng.choices(options, weights=[weights[v.status] for v in options])[0]
            if options
            else None
        )
        parts = components[product.pk]
        component = rng.choice(parts) if parts and rng.random() < 0.8 else None
        key = (product.pk, version.pk if version else None, component.pk if component else None)
        by_pick.setdefault(key, []).append(pk)
    for (product_id, version_id, component_id), ids in by_pick.items():
        Ticket.objects.filter(pk__in=ids).update(
            product_id=product_id, version_id=version_id, component_id=component_id
        )
    _fields(rng)
    _forms(rng)
    mobile = Product.objects.filter(slug="mobile").first()
    team = Team.objects.filter(name__icontains="technical").first() or Team.objects.first()
    if mobile and team and not RoutingRule.objects.filter(name=RULE).exists():
        automation.rule_save(
            RoutingRule(position=5),
            name=RULE,
            conditions={"all": [{"field": "product", "operator": "is", "value": mobile.pk}]},
            actions=[{"action": "set_team", "value": team.pk}],
        )


FIELDS = [
    # key, kind, label, customer label, visible, editable, required on solve, pattern, choices
    (
        "browser",
        FieldKind.CHOICE,
        "Browser",
        "Which browser do you use?",
        True,
        True,
        False,
        "",
        [("chrome", "Chrome"), ("firefox", "Firefox"), ("safari", "Safari"), ("edge", "Edge")],
    ),
    (
        "plan",
        FieldKind.CHOICE,
        "Plan",
        "",
        False,
        False,
        False,
        "",
        [("team", "Team"), ("business", "Business"), ("enterprise", "Enterprise")],
    ),
    (
        "invoice",
        FieldKind.PATTERN,
        "Invoice number",
        "Invoice number (INV-1234)",
        True,
        True,
        False,
        r"INV-\d{4,6}",
        [],
    ),
    ("root_cause", FieldKind.TEXT, "Root cause", "", False, False, False, "", []),
]


def _fields(rng: random.Random) -> None:
    for position, (
        key,
        kind,
        label,
        customer_label,
        visible,
        editable,
        solve,
        pattern,
        choices,
    ) in enumerate(FIELDS):
        field, created = TicketField.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "label": label,
                "customer_label": customer_label,
                "customer_visible": visible,
                "customer_editable": editable,
                "required_on_solve": solve,
                "pattern": pattern,
                "position": position,
            },
        )
        if created:
            for order, (value, text) in enumerate(choices):
                FieldChoice.objects.create(field=field, value=value, label=text, position=order)
    if Ticket.objects.exclude(fields={}).exists():
        return
    browsers = ["chrome", "chrome", "firefox", "safari", "edge"]
    plans = ["team", "business", "business", "enterprise"]
    by_values: dict[tuple, list[int]] = {}
    for pk in Ticket.objects.order_by("pk").values_list("pk", flat=True):
        values = {}
        if rng.random() < 0.5:
            values["browser"] = rng.choice(browsers)
        if rng.random() < 0.6:
            values["plan"] = rng.choice(plans)
        if values:
            by_values.setdefault(tuple(sorted(values.items())), []).append(pk)
    for values, ids in by_values.items():
        Ticket.objects.filter(pk__in=ids).update(fields=dict(values))


FORMS = [
    # name, customer name, description, customer visible, [(key, required)]
    (
        "Bug report",
        "Something doesn't work",
        "Tell us the product and version, and what you saw.",
        True,
        [("product", False), ("version", True), ("component", False), ("browser", True)],
    ),
    (
        "Billing question",
        "",
        "Charges, invoices and plans.",
        True,
        [("invoice", True), ("plan", False)],
    ),
    ("Account and access", "", "Signing in, users and permissions.", True, [("product", False)]),
    ("Escalation from sales", "", "", False, [("plan", False), ("root_cause", False)]),
]


def _forms(rng: random.Random) -> None:
    """The demo's ticket forms, and which tickets were filed with them: a bug report where a
    version and a browser are known, a billing question (with an invoice number) for some of
    the tickets about no product."""
    made = {}
    for position, (name, customer_name, description, visible, items) in enumerate(FORMS):
        form, created = TicketForm.objects.get_or_create(
            name=name,
            defaults={
                "customer_name": customer_name,
                "description": description,
                "customer_visible": visible,
                "position": position,
            },
        )
        if created:
            TicketFormField.objects.bulk_create(
                TicketFormField(form=form, key=key, required=required, position=order)
                for order, (key, required) in enumerate(items)
            )
        made[name] = form
    if Ticket.objects.filter(form__isnull=False).exists():
        return
    Ticket.objects.filter(version__isnull=False, fields__has_key="browser").update(
        form=made["Bug report"]
    )
    billing = []
    for pk, values in (
        Ticket.objects.filter(product__isnull=True).order_by("pk").values_list("pk", "fields")
    ):
        if rng.random() < 0.4:
            billing.append((pk, {**values, "invoice": f"INV-{rng.randint(1000, 99999)}"}))
    for pk, values in billing:
        Ticket.objects.filter(pk=pk).update(form=made["Billing question"], fields=values)
