"""The admin's field form: choices are typed one a line as ``value | Label``; a line starting
with ``-`` retires that choice (kept on tickets, offered no more)."""

from __future__ import annotations

from django import forms

from tickets.fields.models import TicketField


class FieldForm(forms.ModelForm):
    choices_text = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One a line: value | Label (e.g. chrome | Chrome). Start a line with - to "
        "retire it; renaming a label changes no ticket.",
    )

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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.fields["kind"].disabled = True
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
