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
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from support.ids import MAX_ID
from support.weburl import validate_web_url, web_url_schema


class StrictInputSerializer(serializers.Serializer):
    """Input that names its fields: an unknown field, or one the caller's role may not set, is a
    400 naming it. ``customer_fields`` lists what a customer may send (``None``: everything)."""

    customer_fields: frozenset[str] | None = None

    @functools.cached_property
    def _for_customer(self) -> bool:
        """Asked when the fields are built and again when the data is read: once is enough."""
        user = getattr(self.context.get("request"), "user", None)
        return user is not None and user.is_authenticated and not user.is_agent

    def get_fields(self):
        # A field customers may not send is never required of them (an agent must name a new
        # ticket's requester; a customer files in their own name).
        fields = super().get_fields()
        if self.customer_fields is not None and self._for_customer:
            for name, field in fields.items():
                if name not in self.customer_fields:
                    field.required = False
        return fields

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            errors: dict[str, list[str]] = {}
            for name in sorted(set(data.keys()) - set(self.fields)):
                errors[name] = ["Unknown field."]
            is_customer = self._for_customer
            if self.customer_fields is not None and is_customer:
                for name in sorted(set(data.keys()) & set(self.fields) - self.customer_fields):
                    errors[name] = ["Customers can't set this field."]
            if not hasattr(data, "getlist"):  # JSON, not a form: types as the schema says
                errors.update(json_type_errors(self.fields, data))
                errors.update(nul_errors(data))
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


def nul_errors(data) -> dict[str, list[str]]:
    """A NUL character anywhere in a JSON body's objects and lists (a macro's reply, a rule's
    value, a field's text, a key) is refused naming where it is: PostgreSQL keeps no NUL in text
    nor in ``jsonb``. Plain text fields say so themselves (DRF's ``CharField``)."""
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if isinstance(value, dict | list):
            where = _nul_at(value, name)
            if where:
                errors[where] = ["Null characters are not allowed."]
    return errors


def _nul_at(value, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_at(item, f"{path}[{i}]")
            if found:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return path
            found = _nul_at(item, f"{path}.{key}")
            if found:
                return found
    return None


class WebUrlField(serializers.CharField):
    """A web link, exactly ``support.weburl``'s pattern; made by :func:`web_url_field`, which
    states its length (and blank, when allowed) in the schema."""

    def __init__(self, **kwargs) -> None:
        super().__init__(trim_whitespace=False, **kwargs)
        self.validators.append(validate_web_url)

    def run_validation(self, data=serializers.empty):
        if data == "" and self.allow_blank:
            return ""
        return super().run_validation(data)


def web_url_field(*, max_length: int, **kwargs) -> WebUrlField:
    schema = web_url_schema(max_length)
    if kwargs.get("allow_blank"):
        schema = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
    # One class per schema: drf-spectacular reads the schema from the field's class.
    field_class = extend_schema_field(schema)(type("WebUrlField", (WebUrlField,), {}))
    return field_class(max_length=max_length, **kwargs)


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
