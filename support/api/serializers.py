"""Serializer helpers: strict inputs, ``?expand=``, ids, and what output serializers share.

Output serializers declare their fields: those are the response's documentation (the OpenAPI
schema) and DRF renders them. Where a resource is read in bulk or answered on every write
(tickets, customers, organizations, messages), the serializer writes its ``to_representation``
out as plain code over the rows the view loaded (or the service just wrote, passed in the
context), using :func:`iso_datetime` for times; ``tests/support/test_output_serializers.py``
checks each against DRF's own rendering of the declared fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import ISO_8601, exceptions, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

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
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)

    def create(self, validated_data):  # pragma: no cover - writes go through services
        raise NotImplementedError

    def update(self, instance, validated_data):  # pragma: no cover
        raise NotImplementedError


def id_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


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


# --- fast read-only representations ----------------------------------------------------------

_FAST_KINDS = {
    serializers.CharField: "str",
    serializers.EmailField: "str",
    serializers.IntegerField: "int",
    serializers.BooleanField: "bool",
    serializers.ChoiceField: "choice",
    serializers.DateTimeField: "datetime",
}


def _fast_kind(field) -> str | None:
    """How a field's value can be turned into JSON without DRF's per-field calls, or ``None``
    to leave the field to DRF (methods, nested serializers, custom formats, dotted sources)."""
    kind = _FAST_KINDS.get(type(field))
    if kind is None or field.source == "*" or len(field.source_attrs) != 1:
        return None
    if kind == "datetime" and (
        hasattr(field, "timezone")
        or getattr(field, "format", api_settings.DATETIME_FORMAT) != ISO_8601
    ):
        return None
    return kind


class FastReadMixin:
    """``to_representation`` of a model serializer with DRF's result, at a fraction of the calls.

    DRF reads every field through ``get_attribute`` and ``to_representation`` (a time-zone lookup
    per date): for a 50-ticket page with embedded requester and organization that is ~2,500 field
    reads and the larger part of the endpoint's time (docs/benchmarks.md). Plain fields (text,
    numbers, booleans, choices, ISO 8601 dates read straight off an object or a dict's key) are
    converted here exactly as DRF's field classes do; every other field goes through DRF.
    ``tests/support/test_fast_read.py`` compares the two on every serializer that uses this.
    """

    @cached_property
    def _read_plan(self) -> list[tuple[str, str, str | None, serializers.Field]]:
        return [
            (field.field_name, field.source_attrs[0] if field.source_attrs else "", kind, field)
            for field in self._readable_fields
            for kind in (_fast_kind(field),)
        ]

    def to_representation(self, instance) -> dict:
        zone = timezone.get_current_timezone() if settings.USE_TZ else None
        ret = {}
        mapping = isinstance(instance, Mapping)
        for name, attr, kind, field in self._read_plan:
            if kind is None or (mapping and attr not in instance):
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                ret[name] = None if check is None else field.to_representation(attribute)
                continue
            value = instance[attr] if mapping else getattr(instance, attr)
            if value is None:
                ret[name] = None
            elif kind == "str":
                ret[name] = str(value)
            elif kind == "int":
                ret[name] = int(value)
            elif kind == "choice":
                ret[name] = (
                    value if value == "" else field.choice_strings_to_values.get(str(value), value)
                )
            elif kind == "datetime" and zone is not None and timezone.is_aware(value):
                text = value.astimezone(zone).isoformat()
                ret[name] = text[:-6] + "Z" if text.endswith("+00:00") else text
            elif kind == "bool" and isinstance(value, bool):
                ret[name] = value
            else:
                ret[name] = field.to_representation(value)
        return ret
