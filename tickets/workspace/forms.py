"""Parsing what the workspace sends to change tickets: one form for a header field edited in
place and for a bulk action over the selected tickets. Its ``changes()`` is the argument of
``tickets.services.ticket_update``, which checks the rules; the form only turns text into values.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext as _

from accounts.models import Team, User
from products.models import Component, Product, Version
from tickets.models import Priority, Status, TicketType
from tickets.services import TicketChanges, split_addresses


def _choice(choices, what: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices, error_messages={"invalid_choice": f"'%(value)s' is not a {what}."}
    )


class AgentField(forms.Field):
    """An agent by id, ``me`` for the one asking, or nobody (empty or ``nobody``) when allowed."""

    def __init__(self, *, me: User, empty_is_nobody: bool, missing: str, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.me, self.empty_is_nobody, self.missing = me, empty_is_nobody, missing

    def clean(self, value: str | None) -> User | None:
        value = (value or "").strip()
        if value == "me":
            return self.me
        if value in ("", "nobody") and self.empty_is_nobody:
            return None
        agent = User.objects.filter(pk=int(value)).first() if value.isdecimal() else None
        if agent is None:
            raise forms.ValidationError(self.missing)
        return agent


class TeamField(forms.Field):
    """A team by id, or no team (empty)."""

    def clean(self, value: str | None) -> Team | None:
        value = (value or "").strip()
        if not value:
            return None
        team = Team.objects.filter(pk=int(value)).first() if value.isdecimal() else None
        if team is None:
            raise forms.ValidationError(_("Choose a team."))
        return team


class CatalogField(forms.Field):
    """A product, version or component by id, or none (empty). Whether a version belongs to
    the product is the service's rule (``products.services.check_product_choice``)."""

    def __init__(self, *, model, missing: str, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.model, self.missing = model, missing

    def clean(self, value: str | None):
        value = (value or "").strip()
        if not value:
            return None
        found = self.model.objects.filter(pk=int(value)).first() if value.isdecimal() else None
        if found is None:
            raise forms.ValidationError(self.missing)
        return found


class TagsField(forms.CharField):
    """Tag names separated by spaces or commas (each checked by the service)."""

    def to_python(self, value: str | None) -> list[str]:
        return (value or "").replace(",", " ").split()


class AddressesField(forms.CharField):
    """Email addresses separated by commas, semicolons or spaces (each checked by the service)."""

    def to_python(self, value: str | None) -> list[str]:
        return split_addresses(value or "")


class TicketChangeForm(forms.Form):
    """The fields a header edit or a bulk action can change, named as the service's changes.

    Build it with the fields in use (``fields``): a header edit sends one, a bulk action one or
    two; the rest are dropped so an absent field never reads as "clear it".
    """

    subject = forms.CharField(required=False)  # the service says what a subject must be
    status = _choice(Status.choices, "ticket status")
    priority = _choice(Priority.choices, "valid priority")
    type = _choice(TicketType.choices, "valid type")
    team = TeamField(required=False)
    tags_add = TagsField(required=False)
    tags_remove = TagsField(required=False)
    cc_add = AddressesField(required=False)
    cc_remove = AddressesField(required=False)
    product = CatalogField(model=Product, missing="Choose a product.")
    version = CatalogField(model=Version, missing="Choose a version.")
    component = CatalogField(model=Component, missing="Choose a component.")

    def __init__(self, data, *, fields: Iterable[str], user: User) -> None:
        super().__init__(data)
        self.fields["assignee"] = AgentField(
            me=user, empty_is_nobody=True, missing="Choose an agent to assign."
        )
        for name in ("followers_add", "followers_remove"):
            self.fields[name] = AgentField(
                me=user, empty_is_nobody=False, missing="Choose an agent to add as a follower."
            )
        wanted = set(fields)
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        tag_fields = {"tags_add", "tags_remove"} & set(self.fields)
        if tag_fields and not any(cleaned.get(name) for name in tag_fields):
            raise forms.ValidationError(
                _("Type a tag to add.")
                if tag_fields == {"tags_add"}
                else _("Type tags to add or remove.")
            )
        if "cc_add" in self.fields and not cleaned.get("cc_add"):
            raise forms.ValidationError(_("Type an email address to copy in."))
        return cleaned

    def first_error(self) -> str:
        return next(iter(error for errors in self.errors.values() for error in errors))

    def changes(self) -> TicketChanges:
        changes: TicketChanges = {}
        for name, value in self.cleaned_data.items():
            if name in ("followers_add", "followers_remove"):
                changes[name] = [value]
            else:
                changes[name] = value
        return changes
