from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.validators import PASSWORD_MAX_LENGTH
from portal.services import categories
from products.cache import catalog
from tickets.fields.models import BUILTIN_KEYS, CHOICE_KINDS, FieldKind
from tickets.fields.services import active_fields
from tickets.fields.ticket_forms import form_get, form_items, forms_offered
from tickets.models import Priority


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("Up to %(count)d files, %(mb)d MB each. Programs and scripts are not accepted.")
        % {
            "count": settings.PORTAL_MAX_ATTACHMENTS,
            "mb": settings.ATTACHMENT_MAX_BYTES // 1048576,
        },
    )


class PortalForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels read "Subject", not "Subject:"
        super().__init__(*args, **kwargs)


class SignInForm(PortalForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class TicketForm(PortalForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=250,
        help_text=_("A few words about the problem."),
    )
    body = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What happened, what you expected, and any steps to reproduce it."),
    )
    product = forms.ChoiceField(
        label=_("Product (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Pick a product from the list.")},
    )
    version = forms.ChoiceField(
        label=_("Version (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Pick a version of the product from the list.")},
    )
    component = forms.ChoiceField(
        label=_("Component (optional)"),
        required=False,
        error_messages={"invalid_choice": _("Pick a component of the product from the list.")},
    )
    category = forms.ChoiceField(label=_("Product area (optional)"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Not sure")), *categories()]
        self._form_choice()
        self._product_choices()
        self._custom_fields()
        self._fit_to_form()
        if settings.PORTAL_ALLOW_PRIORITY:
            self.fields["priority"].choices = [("", _("Normal")), *Priority.choices]
        else:
            del self.fields["priority"]
        self.fields["attachments"] = _attachments_field()

    def _form_choice(self) -> None:
        """The ticket forms customers may choose ("Bug report", "Billing question"), the first
        chosen unless another is: the fields below follow it (``portal:form-fields`` swaps
        them). With no forms the page asks for every field customers fill in."""
        self.ticket_form = None
        offered = forms_offered(customer=True)
        if not offered:
            return
        raw = self.data.get("form") or self.initial.get("form") or ""
        chosen = form_get(raw)
        self.ticket_form = chosen if chosen in offered else offered[0]
        field = forms.ChoiceField(
            label=_("What is it about?"),
            choices=[(f.pk, f.name_for_customers) for f in offered],
            initial=self.ticket_form.pk,
            # Django shows help text as HTML: the admins' words are escaped.
            help_text=escape(
                " ".join(
                    f"{f.name_for_customers}: {f.description}" for f in offered if f.description
                )
            ),
            error_messages={"invalid_choice": _("Pick one of the kinds of request.")},
        )
        field.widget.attrs.update(
            {
                "hx-get": reverse("portal:form-fields"),
                "hx-target": "#form-fields",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
                "hx-include": "#form-fields",
            }
        )
        self.fields = {"form": field, **self.fields}

    def _fit_to_form(self) -> None:
        """The fields that follow the form (product parts and custom fields) together, after
        the description; with a form chosen, only its fields, in its order, marked when
        required."""
        if self.ticket_form is None:
            wanted = [n for n in self.fields if n in BUILTIN_KEYS or n.startswith("field_")]
        else:
            items = form_items(self.ticket_form, customer=True)
            wanted = [key if key in BUILTIN_KEYS else f"field_{key}" for key, _f, _r in items]
            for name in [*BUILTIN_KEYS, *(n for n in self.fields if n.startswith("field_"))]:
                if name not in wanted:
                    self.fields.pop(name, None)
            for (key, _field, required), name in zip(items, wanted, strict=True):
                if name in self.fields:
                    self._mark(name, key, required=required)
            if "product" in self.fields:
                self.fields["product"].widget.attrs["hx-include"] = "#id_form"
        wanted = [n for n in wanted if n in self.fields]
        rest = [n for n in self.fields if n not in wanted]
        at = rest.index("body") + 1 if "body" in rest else len(rest)
        self.fields = {n: self.fields[n] for n in [*rest[:at], *wanted, *rest[at:]]}
        self.form_field_names = wanted

    def _mark(self, name: str, key: str, *, required: bool) -> None:
        field = self.fields[name]
        if key in BUILTIN_KEYS:
            label = {"product": _("Product"), "version": _("Version"), "component": _("Component")}
            field.label = (
                f"{label[key]} *" if required else _("%(label)s (optional)") % {"label": label[key]}
            )
        elif required and not str(field.label).endswith(" *"):
            field.label = f"{field.label} *"
        if required:
            field.widget.attrs["aria-required"] = "true"

    def form_blocks(self) -> list:
        """What ``portal/_form_fields.html`` shows: the bound fields that follow the form, the
        version and component as one ``"parts"`` block (their lists follow the product)."""
        blocks: list = []
        for name in self.form_field_names:
            if name in ("version", "component"):
                if "parts" not in blocks:
                    blocks.append("parts")
            else:
                blocks.append(self[name])
        return blocks

    def _product_choices(self) -> None:
        """The products offered for new requests, and the versions and components of the one
        chosen (the lists follow the product: ``portal:product-parts`` swaps them in)."""
        known = catalog.get()
        offered = known.offered_products()
        if not offered:
            for name in ("product", "version", "component"):
                del self.fields[name]
            return
        raw = str(self.data.get("product") or self.initial.get("product") or "")
        chosen = known.product(int(raw)) if raw.isdecimal() else None
        self.chosen_product = chosen if chosen is not None and chosen.active else None
        pid = self.chosen_product.pk if self.chosen_product else None
        # The product catalog replaces the settings' "product areas" (tags) on the form.
        self.fields.pop("category", None)
        not_sure = ("", _("Not sure"))
        self.fields["product"].choices = [not_sure, *[(p.pk, p.name) for p in offered]]
        self.fields["product"].widget.attrs.update(
            {
                "hx-get": reverse("portal:product-parts"),
                "hx-target": "#product-parts",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        )
        self.fields["version"].choices = [
            not_sure,
            *[(v.pk, v.name) for v in known.versions_of(pid, offered_only=True)],
        ]
        self.fields["component"].choices = [
            not_sure,
            *[(c.pk, c.name) for c in known.components_of(pid, offered_only=True)],
        ]
        if pid is None:
            self.fields["version"].help_text = _("Choose a product first.")

    def _custom_fields(self) -> None:
        """The custom ticket fields customers fill in (``tickets.fields``), as form fields named
        ``field_<key>``; their values are checked by the ticket services, not here."""
        for field in active_fields():
            if not field.customer_editable:
                continue
            name = f"field_{field.key}"
            options = {
                "label": field.label_for_customers,
                "help_text": escape(field.customer_help_text),
                "required": False,
            }
            if field.kind in CHOICE_KINDS:
                choices = [(c.value, c.label) for c in field.choice_list if not c.retired]
                if field.kind == FieldKind.CHOICE:
                    self.fields[name] = forms.ChoiceField(
                        choices=[("", _("Choose…")), *choices], **options
                    )
                else:
                    self.fields[name] = forms.MultipleChoiceField(
                        choices=choices, widget=forms.CheckboxSelectMultiple, **options
                    )
            elif field.kind == FieldKind.CHECKBOX:
                self.fields[name] = forms.BooleanField(**options)
            elif field.kind == FieldKind.LONG_TEXT:
                self.fields[name] = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 3}), **options
                )
            elif field.kind == FieldKind.DATE:
                self.fields[name] = forms.CharField(
                    widget=forms.DateInput(attrs={"type": "date"}), **options
                )
            else:
                self.fields[name] = forms.CharField(**options)
            if field.required_on_submit:
                self.fields[name].label = f"{self.fields[name].label} *"

    def chosen_form(self):
        """The ticket form chosen (``None`` when there are none)."""
        return self.ticket_form

    def custom_field_values(self) -> dict:
        """What was typed in the custom fields, by key (empty ones left out)."""
        values = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("field_") and value not in (None, "", [], False):
                values[name.removeprefix("field_")] = value
        return values

    def catalog_values(self) -> dict:
        """The chosen product, version and component as objects (the service checks them)."""
        if "product" not in self.fields:
            return {}
        known = catalog.get()
        pid = self.cleaned_data.get("product")
        product = known.product(int(pid)) if pid else None
        vid, cid = self.cleaned_data.get("version"), self.cleaned_data.get("component")
        return {
            "product": product,
            "version": next(
                (v for v in known.versions_of(product and product.pk) if str(v.pk) == vid), None
            ),
            "component": next(
                (c for c in known.components_of(product and product.pk) if str(c.pk) == cid), None
            ),
        }


class SignedOutTicketForm(TicketForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We'll send a link to confirm it; your request is filed once you click it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # A honeypot: hidden from people (CSS and aria-hidden), filled in by simple bots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    field_order = [
        "email",
        "name",
        "subject",
        "body",
        "product",
        "version",
        "component",
        "category",
        "priority",
    ]


class ReplyForm(PortalForm):
    body = forms.CharField(
        label=_("Your reply"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = _attachments_field()

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachments"):
            raise forms.ValidationError(_("Write a reply or attach a file."))
        return data


class PasswordForm(PortalForm):
    """Set a password, or change it: a person who has one proves it first (the current one), so
    a session left open on a shared computer can't take the account over. Wrong current
    passwords count towards the same lockout as failed sign-ins."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, ip: str = "unknown", **kwargs):
        self.user = user
        self.ip = ip
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():  # signed in by mailed links only so far
            del self.fields["current_password"]

    def clean_current_password(self):
        current = self.cleaned_data["current_password"]
        if not throttle.login_attempt(email=self.user.email, ip=self.ip):
            raise forms.ValidationError(
                _("Too many wrong passwords. For your security, try again in 15 minutes."),
                code="throttled",
            )
        if not self.user.check_password(current):
            raise forms.ValidationError(_("Your current password is not right."), code="wrong")
        throttle.login_succeeded(email=self.user.email, ip=self.ip)
        return current

    def clean(self):
        data = super().clean()
        if self.has_error("current_password"):
            return data
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords don't match."))
        elif one:
            try:
                validate_password(one, self.user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class TimeZoneForm(PortalForm):
    time_zone = forms.ChoiceField(label=_("Your time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            (name, name) for name in sorted(zoneinfo.available_timezones())
        ]
