"""The catalog's admin forms: they turn text into values; ``products.services`` checks the
rules and saves."""

from __future__ import annotations

from django import forms

from accounts.models import Role, User
from products.models import Component, Product, Version
from support.weburl import WebUrlFormField


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "slug", "description", "manager", "support_email", "active"]
        labels = {
            "manager": "Owning product manager",
            "support_email": "Support address",
            "active": "Active (offered on new tickets)",
        }
        help_texts = {"slug": "Used in links and the API; made from the name when left empty."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["manager"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.PRODUCT_MANAGER, Role.ADMIN]
        ).order_by("name", "email")
        self.fields["manager"].empty_label = "Nobody"

    def validate_unique(self) -> None:
        """The service checks names and slugs (after making the slug from the name)."""


class VersionForm(forms.ModelForm):
    release_notes_url = WebUrlFormField(
        label="Release notes link", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Version
        fields = ["name", "released_on", "status", "release_notes_url"]
        labels = {"released_on": "Release date", "release_notes_url": "Release notes link"}
        widgets = {"released_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def validate_unique(self) -> None:
        """Checked by the service, which knows the product."""


class ComponentForm(forms.ModelForm):
    class Meta:
        model = Component
        fields = ["name", "description", "active"]
        labels = {"active": "Active (offered on new tickets)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self) -> None:
        """Checked by the service, which knows the product."""
