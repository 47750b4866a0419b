"""Admin forms for business calendars and SLA policies."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django import forms
from django.utils.translation import gettext

from accounts.models import Role, Team, User
from customers.models import Organization
from products.cache import catalog
from tickets.fields.cache import ticket_fields
from tickets.fields.models import CHOICE_KINDS
from tickets.models import Channel, Priority, TicketType
from tickets.sla.business_time import WEEKDAYS, Calendar, CalendarError
from tickets.sla.models import BusinessCalendar, SlaPolicy

# A policy's condition on a custom choice field is the form field "cf_<key>".
FIELD_PREFIX = "cf_"
DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


def _hours_text(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def _parse_hours(text: str) -> list[list[str]]:
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" not in part:
            raise forms.ValidationError(
                gettext("%(part)s: write intervals like 09:00-17:00.") % {"part": repr(part)}
            )
        start, end = (p.strip() for p in part.split("-", 1))
        out.append([start, end])
    return out


class CalendarForm(forms.ModelForm):
    holidays_text = forms.CharField(
        label="Holidays",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line: 2026-12-25 Christmas Day",
    )
    seed_country = forms.CharField(
        label="Add public holidays of country",
        required=False,
        max_length=8,
        help_text="ISO code such as DE, US, GB; adds this year's and next year's holidays.",
    )

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "always_open"]
        widgets = {"time_zone": forms.TextInput(attrs={"list": "time-zones"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.instance.hours or {}
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=DAY_NAMES[day],
                required=False,
                initial=_hours_text(hours.get(day, [])),
                help_text=""
                if day != "mon"
                else "e.g. 09:00-12:00, 13:00-18:00; 22:00-06:00 runs past midnight",
            )
        if self.instance.pk:
            self.fields["holidays_text"].initial = "\n".join(
                f"{h.date.isoformat()} {h.name}".strip() for h in self.instance.holidays.all()
            )
            self.fields["seed_country"].initial = self.instance.holiday_country

    def day_fields(self):
        return [self[f"hours_{day}"] for day in WEEKDAYS]

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                gettext("%(value)s is not a known time zone.") % {"value": repr(value)}
            )
        return value

    def clean_holidays_text(self) -> list[tuple[date, str]]:
        out = []
        for number, line in enumerate(self.cleaned_data["holidays_text"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            day_text, _, name = line.partition(" ")
            try:
                out.append((date.fromisoformat(day_text), name.strip()))
            except ValueError:
                raise forms.ValidationError(
                    gettext("Line %(number)s: %(day_text)s is not a date like 2026-12-25.")
                    % {"number": number, "day_text": repr(day_text)}
                ) from None
        return out

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for day in WEEKDAYS:
            try:
                intervals = _parse_hours(cleaned.get(f"hours_{day}", ""))
            except forms.ValidationError as exc:
                self.add_error(f"hours_{day}", exc)
                continue
            if intervals:
                hours[day] = intervals
        if self.errors:
            return cleaned
        try:
            Calendar.from_spec(
                time_zone=cleaned.get("time_zone") or "UTC",
                hours=hours,
                always_open=cleaned.get("always_open", False),
            )
        except CalendarError as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.instance.hours = hours
        return cleaned


class PolicyForm(forms.ModelForm):
    priorities = forms.MultipleChoiceField(
        choices=Priority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    types = forms.MultipleChoiceField(
        choices=TicketType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    products = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="Any of them matches.",
    )
    organizations = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tag_names = forms.CharField(
        label="Tags", required=False, help_text="Comma separated; any of them matches."
    )
    notify = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(role__in=[Role.ADMIN, Role.AGENT], is_active=True).order_by(
            "name"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        label="Also notify",
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "is_active",
            "is_default",
            "calendar",
            "first_response_minutes",
            "next_reply_minutes",
            "resolution_minutes",
            "warning_percent",
            "warning_raise_priority",
            "warning_team",
            "breach_raise_priority",
            "breach_team",
        ]
        labels = {
            "first_response_minutes": "First response (minutes)",
            "next_reply_minutes": "Next reply (minutes)",
            "resolution_minutes": "Resolution (minutes)",
            "warning_percent": "Warn at % of target",
            "warning_raise_priority": "On warning, raise priority one step",
            "warning_team": "On warning, move to team",
            "breach_raise_priority": "On breach, raise priority one step",
            "breach_team": "On breach, move to team",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warning_team"].queryset = Team.objects.order_by("name")
        self.fields["breach_team"].queryset = Team.objects.order_by("name")
        self.fields["products"].choices = [(p.pk, p.name) for p in catalog.get().products]
        chosen = self.instance.field_values or {}
        for field in ticket_fields.get().values():
            if field.kind in CHOICE_KINDS and (field.active or field.key in chosen):
                self.fields[FIELD_PREFIX + field.key] = forms.MultipleChoiceField(
                    label=field.label,
                    choices=[(c.value, c.label) for c in field.choice_list],
                    required=False,
                    initial=chosen.get(field.key, []),
                    widget=forms.SelectMultiple(attrs={"size": 4}),
                    help_text="Any of them matches.",
                )
        if self.instance.pk:
            self.fields["products"].initial = self.instance.products
            self.fields["priorities"].initial = self.instance.priorities
            self.fields["channels"].initial = self.instance.channels
            self.fields["types"].initial = self.instance.types
            self.fields["organizations"].initial = list(self.instance.organizations.all())
            self.fields["notify"].initial = list(self.instance.notify.all())
            self.fields["tag_names"].initial = ", ".join(
                self.instance.tags.values_list("name", flat=True)
            )

    def clean(self):
        cleaned = super().clean()
        if not any(
            cleaned.get(f)
            for f in ("first_response_minutes", "next_reply_minutes", "resolution_minutes")
        ):
            raise forms.ValidationError(gettext("Set at least one target."))
        for field in ("priorities", "channels", "types", "products"):
            setattr(self.instance, field, cleaned.get(field) or [])
        self.instance.field_values = {
            name[len(FIELD_PREFIX) :]: values
            for name, values in cleaned.items()
            if name.startswith(FIELD_PREFIX) and values
        }
        return cleaned

    def custom_fields(self) -> list:
        """The custom choice fields' conditions, in the fields' order."""
        return [self[name] for name in self.fields if name.startswith(FIELD_PREFIX)]

    def tag_list(self) -> list[str]:
        return [t for t in (s.strip() for s in self.cleaned_data["tag_names"].split(",")) if t]
