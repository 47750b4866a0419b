"""The admin's field form: choices are typed one a line as ``value | Label``; a line starting
with ``-`` retires that choice (kept on tickets, offered no more)."""

from __future__ import annotations

from django import forms

from customers.models import ProfileField
from tickets.fields.models import BUILTIN_KEYS, TicketField, TicketForm
from tickets.fields.ticket_forms import key_label


class DefinitionForm(forms.ModelForm):
    """What a ticket field's and a profile field's forms share: the choices typed one a line,
    and a key and kind that can't change once saved."""

    choices_text = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line: value | Label (e.g. chrome | Chrome). Start a line with - to "
        "retire it; renaming a label rewrites no stored value.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("key", "kind", "applies_to"):
                if name in self.fields:
                    self.fields[name].disabled = True
            self.fields["choices_text"].initial = "\n".join(
                f"{'-' if c.retired else ''}{c.value} | {c.label}"
                for c in self.instance.choices.all()
            )

    def validate_unique(self) -> None:
        """The service checks (and names) a duplicate key."""

    def choice_list(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data.get("choices_text", "").splitlines():
            line = line.strip()
            if not line:
                continue
            retired = line.startswith("-")
            value, _, label = line.lstrip("-").partition("|")
            rows.append({"value": value.strip(), "label": label.strip(), "retired": retired})
        return rows


class FieldForm(DefinitionForm):
    class Meta:
        model = TicketField
        fields = [
            "key",
            "label",
            "kind",
            "help_text",
            "customer_label",
            "customer_help_text",
            "customer_visible",
            "customer_editable",
            "required_on_submit",
            "required_on_solve",
            "pattern",
            "position",
            "active",
        ]
        labels = {
            "help_text": "Help text for agents",
            "customer_label": "Label for customers",
            "customer_help_text": "Help text for customers",
            "customer_visible": "Customers see it",
            "customer_editable": "Customers fill it in",
            "required_on_submit": "Required when a customer submits",
            "required_on_solve": "Required when an agent solves",
            "active": "Active (offered on forms)",
        }


class ProfileFieldForm(DefinitionForm):
    """An organization or customer field (agents only: no customer label or flags)."""

    class Meta:
        model = ProfileField
        fields = [
            "applies_to",
            "key",
            "label",
            "kind",
            "help_text",
            "pattern",
            "position",
            "active",
        ]
        labels = {
            "applies_to": "Applies to",
            "help_text": "Help text for agents",
            "active": "Active (offered for new values)",
        }


class TicketFormEditForm(forms.ModelForm):
    """A ticket form's name and who may choose it; its fields are the rows of the page's table
    (:func:`form_rows`, :func:`items_from_post`)."""

    class Meta:
        model = TicketForm
        fields = ["name", "customer_name", "description", "position", "customer_visible", "active"]
        labels = {
            "customer_name": "Name for customers",
            "description": "Description for customers",
            "customer_visible": "Customers can choose it in the portal",
            "active": "Active (offered for new tickets)",
        }

    def validate_unique(self) -> None:
        """The service checks (and names) a duplicate name, in any case."""


def form_rows(form: TicketForm | None, data=None) -> list[dict]:
    """One row per field a form may hold (product, version, component, then the custom fields):
    whether it is on the form, required, and its place — from ``data`` (a POST that came back
    with an error) or the form as saved."""
    items = {i.key: i for i in form.items.all()} if form is not None and form.pk else {}
    known = [*BUILTIN_KEYS, *(f.key for f in TicketField.objects.all())]
    fields = {f.key: f for f in TicketField.objects.all()}
    rows = []
    for index, key in enumerate(known):
        field = fields.get(key)
        if field is not None and not field.active and key not in items:
            continue
        item = items.get(key)
        if data is not None:
            on, required = bool(data.get(f"on_{key}")), bool(data.get(f"required_{key}"))
            order = data.get(f"order_{key}", "")
        else:
            on, required = item is not None, bool(item and item.required)
            order = str(item.position + 1) if item else ""
        rows.append(
            {
                "key": key,
                "label": key_label(key),
                "kind": field.get_kind_display() if field else "Ticket field",
                "customers": field is None or field.customer_editable,
                "on": on,
                "required": required,
                "order": order,
                "index": index,
            }
        )
    return rows


def items_from_post(data) -> list[dict]:
    """The ticked rows as the service's items, by the order typed (then as listed)."""
    picked = []
    for index, key in enumerate(data.getlist("keys")):
        if not data.get(f"on_{key}"):
            continue
        order = str(data.get(f"order_{key}", "")).strip()
        rank = int(order) if order.isdecimal() and len(order) < 6 else 10**6
        picked.append((rank, index, {"key": key, "required": bool(data.get(f"required_{key}"))}))
    return [item for _rank, _index, item in sorted(picked, key=lambda p: p[:2])]
