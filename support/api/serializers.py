"""Serializer helpers: strict inputs, ``?expand=``, ids, and what output serializers share.

Output serializers declare their fields: those are the response's documentation (the OpenAPI
schema) and DRF renders them. Where a resource is read in bulk or answered on every write
(tickets, customers, organizations, messages), the serializer writes its ``to_representation``
out as plain code over the rows the view loaded (or the service just wrote, passed in the
context), using :func:`iso_datetime` for times; ``tests/tickets/test_serializers.py`` and
``tests/customers/test_serializers.py`` check each against DRF's own rendering of the declared
fields.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import datetime, tzinfo

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from rest_framework import exceptions, serializers

from support.api.schema import MAX_ID


class StrictInputSerializer(serializers.Serializer):
    """Input that names its fields: an unknown field, or one the caller's role may not set, is a
    400 naming it. ``customer_fields`` lists what a customer may send (``None``: everything)."""

    customer_fields: frozenset[str] | None = None

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            errors: dict[str, list[str]] = {}
            for name in sorted(set(data.keys()) - set(self.fields)):
                errors[name] = ["Unknown field."]
            request = self.context.get("request")
            user = getattr(request, "user", None)
            is_customer = user is not None and user.is_authenticated and not user.is_agent
            if self.customer_fields is not None and is_customer:
                for name in sorted(set(data.keys()) & set(self.fields) - self.customer_fields):
                    errors[name] = ["Customers can't set this field."]
            if not hasattr(data, "getlist"):  # JSON, not a form: types as the schema says
                errors.update(json_type_errors(self.fields, data))
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)

    def create(self, validated_data):  # pragma: no cover - writes go through services
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


def json_type_errors(fields, data) -> dict[str, list[str]]:
    """A JSON value of the wrong type is refused, not coerced (DRF would take ``0`` for a string
    or ``"yes"`` for a boolean): the schema promises a type, and a client that sends another has
    a bug it should hear about. Lists and objects of such fields are checked item by item."""
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        if name not in data or field.read_only:
            continue
        message = _json_type_error(field, data[name])
        if message:
            errors[name] = [message]
    return errors


def _json_type_error(field, value) -> str | None:
    if value is None:
        return None  # whether null is allowed is the field's own rule
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return "Must be true or false."
    if isinstance(field, serializers.CharField | serializers.ChoiceField) and not isinstance(
        value, str
    ):
        return "Must be a string."
    if isinstance(field, serializers.IntegerField) and (
        isinstance(value, bool)
        or not (isinstance(value, int) or (isinstance(value, float) and value.is_integer()))
    ):  # 3.0 is a whole number, as JSON Schema's "integer" says
        return "Must be a whole number."
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        if any(_json_type_error(field.child, item) for item in value):
            scalar = isinstance(field.child, serializers.CharField | serializers.ChoiceField)
            return "Every item must be a string." if scalar else "An item has the wrong type."
    if isinstance(field, serializers.DictField) and isinstance(value, dict):
        for key, item in value.items():
            message = _json_type_error(field.child, item)
            if message:
                return f"{key}: {message}"
    return None


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


@functools.cache
def _time_zone_choices() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def time_zone_field(**kwargs) -> serializers.ChoiceField:
    """A time zone of the tz database by name: the schema lists them (``TimeZoneEnum``), so a
    name that only looks like one is refused by the schema as by the server."""
    return serializers.ChoiceField(choices=_time_zone_choices(), **kwargs)


def parse_expand(request, choices: frozenset[str]) -> frozenset[str]:
    raw = request.query_params.get("expand", "")
    names = frozenset(name.strip() for name in raw.split(",") if name.strip())
    unknown = sorted(names - choices)
    if unknown:
        raise exceptions.ValidationError(
            {
                "expand": [
                    f"Can't expand {', '.join(unknown)}; choose from {', '.join(sorted(choices))}."
                ]
            }
        )
    return names


def serializing_for(context) -> AbstractBaseUser | None:
    """The user a response is being shaped for; ``None`` while the schema is generated (show
    every field there, marked optional where it depends on the reader)."""
    request = context.get("request")
    if request is None or getattr(context.get("view"), "swagger_fake_view", False):
        return None
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def iso_datetime(value: datetime | None, zone: tzinfo) -> str | None:
    """``value`` as DRF's ``DateTimeField`` writes it: ISO 8601 in ``zone`` (the current time
    zone, ``timezone.get_current_timezone()``), ``+00:00`` written as ``Z``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = timezone.make_aware(value, zone)
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
