"""Business calendars in ``/api/v1/business-calendars``: the calendars SLA policies count
business time in (admins write, agents read; ``ETag`` / ``If-Match`` as for the policies,
``tickets.sla.api``)."""

from __future__ import annotations

import re
import zoneinfo

import django_filters
import holidays
from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from support import clock
from support.api.filters import ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX, IDEMPOTENCY, IF_MATCH, schema_constrain
from support.api.serializers import StrictInputSerializer, time_zone_field
from support.api.views import ApiViewMixin
from support.errors import InvalidChange
from tickets.sla import services
from tickets.sla.api import (
    EtagViewMixin,
    SlaSettingsPermission,
    api_field_errors,
)
from tickets.sla.business_time import WEEKDAYS, Calendar, CalendarError
from tickets.sla.models import BusinessCalendar

# The codes ``calendar_seed_holidays`` has a list for (the ``holidays`` package: ISO 3166 alpha-2
# and alpha-3), as the schema's enum: "AA" is refused by the schema as by the server.
HOLIDAY_COUNTRIES = sorted(
    {case(code) for code in holidays.list_supported_countries() for case in (str.upper, str.lower)}
)
_HOLIDAY_CODES = frozenset(HOLIDAY_COUNTRIES)


class HolidaySerializer(StrictInputSerializer):
    """A holiday; as input, an unknown key is a 400 naming it, as everywhere."""

    date = serializers.DateField()
    name = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")

    def validate(self, attrs):
        # A PATCH's partial=True reaches nested items too and would let a holiday without its
        # date through (a 500 when written); a holiday always has one, as the schema says.
        if "date" not in attrs:
            raise serializers.ValidationError(
                {"date": [self.fields["date"].error_messages["required"]]}
            )
        attrs.setdefault("name", "")
        return attrs


class BusinessCalendarSerializer(serializers.ModelSerializer):
    hours = serializers.DictField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
        read_only=True,
    )
    holidays = HolidaySerializer(many=True, read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "name",
            "time_zone",
            "always_open",
            "hours",
            "holiday_country",
            "holidays",
            "created_at",
        ]
        read_only_fields = fields


def _validate_time_zone(value: str) -> str:
    value = value.strip()
    if value not in zoneinfo.available_timezones():
        raise serializers.ValidationError(f"{value!r} is not a known time zone.")
    return value


def _validate_hours(value: dict) -> dict:
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        raise serializers.ValidationError(
            f"{', '.join(map(repr, unknown))}: days are mon, tue, wed, thu, fri, sat, sun."
        )
    try:  # the intervals alone; whether the calendar is ever open is the model's check
        Calendar.from_spec(time_zone="UTC", hours=value, always_open=True)
    except (CalendarError, ValueError, TypeError) as exc:
        raise serializers.ValidationError(str(exc)) from None
    return {day: [list(pair) for pair in value[day]] for day in WEEKDAYS if value.get(day)}


# ``HH:MM`` (one or two hour digits); an interval can end at 24:00 but not start there.
START_PATTERN = r"^(?:[01]?[0-9]|2[0-3]):[0-5][0-9]$"
END_PATTERN = r"^(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9]|24:00)$"
_INTERVAL = {
    "type": "array",
    "prefixItems": [
        {"type": "string", "pattern": START_PATTERN},
        {"type": "string", "pattern": END_PATTERN},
    ],
    "items": False,
    "minItems": 2,
    "maxItems": 2,
}
_DAY = {"type": "array", "items": _INTERVAL, "maxItems": 12, "uniqueItems": True}
HOURS_SCHEMA = {
    "type": "object",
    "properties": {day: _DAY for day in WEEKDAYS},
    "additionalProperties": False,
}


@extend_schema_field(HOURS_SCHEMA)
class HoursField(serializers.Field):
    """Weekly hours, exactly as the schema says (``HOURS_SCHEMA``); whether intervals overlap
    is the calendar's own check (a rule across items no schema states)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError('Hours are {"mon": [["09:00", "17:00"]], ...}.')
        for day, intervals in data.items():
            if day not in WEEKDAYS:
                raise serializers.ValidationError(
                    f"{day!r}: days are mon, tue, wed, thu, fri, sat, sun."
                )
            if not isinstance(intervals, list) or len(intervals) > 12:
                raise serializers.ValidationError(f"{day}: a list of up to 12 intervals.")
            for i, pair in enumerate(intervals):
                if not (
                    isinstance(pair, list)
                    and len(pair) == 2
                    and all(isinstance(t, str) for t in pair)
                    and re.fullmatch(START_PATTERN[1:-1], pair[0])
                    and re.fullmatch(END_PATTERN[1:-1], pair[1])
                ):
                    message = f'{pair!r} is not an interval like ["09:00", "17:00"] (to 24:00).'
                    raise serializers.ValidationError({day: {str(i): [message]}})
            if len({tuple(pair) for pair in intervals}) < len(intervals):
                raise serializers.ValidationError(f"{day}: an interval is listed twice.")
        return data

    def to_representation(self, value):  # pragma: no cover - input only
        return value


class BusinessCalendarInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    time_zone = time_zone_field(default="UTC")
    always_open = serializers.BooleanField(default=False)
    hours = HoursField(
        required=False,
        help_text='Weekly open hours: {"mon": [["09:00", "17:00"]], ...}; days mon … sun; an '
        "interval whose end is before its start runs past midnight. Default: Mon–Fri 09–17. "
        "Hours with no interval need always_open: true beside them.",
    )
    holidays = serializers.ListField(
        child=HolidaySerializer(),
        required=False,
        max_length=1000,
        help_text="The calendar's whole holiday list (replaces it).",
    )
    holiday_country = serializers.CharField(
        required=False,
        help_text="ISO code (DE, US, GB …; upper or lower case) of a country the holidays "
        "package has a list for: adds this year's and next year's public holidays.",
    )

    def validate_time_zone(self, value: str) -> str:
        return _validate_time_zone(value)

    def validate_holiday_country(self, value: str) -> str:
        if value not in _HOLIDAY_CODES:
            raise serializers.ValidationError(f"No holiday list for {value!r}.")
        return value

    def validate_hours(self, value: dict) -> dict:
        return _validate_hours(value)

    def validate(self, attrs):
        # Said in the schema (``anyOf`` below): hours without an interval need always_open.
        if "hours" in attrs and not attrs["hours"] and attrs.get("always_open") is not True:
            raise serializers.ValidationError(
                {"hours": ["Give opening hours, or always_open: true beside them."]}
            )
        return attrs


# Hours with no interval leave the calendar never open unless always_open says otherwise.
_OPEN = {
    "anyOf": [
        {"not": {"required": ["hours"]}},
        {"required": ["always_open"], "properties": {"always_open": {"const": True}}},
        {
            "required": ["hours"],
            "properties": {
                "hours": {
                    "anyOf": [
                        {"required": [day], "properties": {day: {"minItems": 1}}}
                        for day in WEEKDAYS
                    ]
                }
            },
        },
    ]
}
_COUNTRY_FIELD = BusinessCalendarInputSerializer._declared_fields["holiday_country"]
_COUNTRY = {
    "holiday_country": {
        "type": "string",
        "enum": HOLIDAY_COUNTRIES,
        "description": _COUNTRY_FIELD.help_text,
    }
}
schema_constrain("BusinessCalendarInputRequest", properties=_COUNTRY, **_OPEN)
schema_constrain("PatchedBusinessCalendarInputRequest", properties=_COUNTRY, **_OPEN)


CALENDAR_ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "id": ("id",),
    "-id": ("-id",),
}


class BusinessCalendarFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=100, help_text="Text in the name."
    )
    ordering = ordering_filter(CALENDAR_ORDERINGS)

    class Meta:
        model = BusinessCalendar
        fields: list[str] = []


CALENDAR_EXAMPLE = OpenApiExample(
    "Berlin office hours",
    value={
        "name": "Berlin office",
        "time_zone": "Europe/Berlin",
        "hours": {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [{"date": "2026-12-24", "name": "Christmas Eve"}],
    },
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(summary="List business calendars (agents)"),
    retrieve=extend_schema(summary="Get a business calendar (agents)"),
)
class BusinessCalendarViewSet(
    ApiViewMixin, EtagViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    serializer_class = BusinessCalendarSerializer
    filterset_class = BusinessCalendarFilter
    permission_classes = [ApiPermission, SlaSettingsPermission]
    ordering_choices = CALENDAR_ORDERINGS
    default_ordering = "name"
    lookup_value_regex = ID_REGEX
    resource_path = "business-calendars"

    def get_queryset(self):
        return BusinessCalendar.objects.prefetch_related("holidays")

    def _write(self, calendar: BusinessCalendar, values: dict) -> BusinessCalendar:
        for field in ("name", "time_zone", "always_open", "hours"):
            if field in values:
                setattr(calendar, field, values[field])
        if calendar.pk and not calendar.always_open and not any((calendar.hours or {}).values()):
            # The request alone is fine; with what is stored the calendar would never open.
            raise InvalidChange(
                "The calendar has no opening hours: send hours with always_open: false.",
                field="always_open",
            )
        with api_field_errors():
            calendar = services.calendar_save(calendar=calendar)
            if "holidays" in values:
                services.calendar_set_holidays(
                    calendar=calendar,
                    holidays=[(h["date"], h["name"]) for h in values["holidays"]],
                )
            country = values.get("holiday_country", "").upper()
            if country and country != calendar.holiday_country:
                year = clock.now().year
                services.calendar_seed_holidays(
                    calendar=calendar, country=country, years=[year, year + 1]
                )
        return calendar

    @extend_schema(
        summary="Create a business calendar (admins)",
        request=BusinessCalendarInputSerializer,
        responses={201: BusinessCalendarSerializer},
        parameters=[IDEMPOTENCY],
        examples=[CALENDAR_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        data = BusinessCalendarInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            calendar = self._write(BusinessCalendar(), data.validated_data)
        return self._respond(calendar, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a business calendar (admins)",
        request=BusinessCalendarInputSerializer,
        responses={200: BusinessCalendarSerializer},
        parameters=[IF_MATCH],
        description="Send only the fields to change; `holidays` replaces the whole list. "
        "Tickets' running clocks take new hours when they are next rescheduled.",
    )
    def partial_update(self, request, *args, **kwargs):
        data = BusinessCalendarInputSerializer(
            data=request.data, context={"request": request}, partial=True
        )
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            calendar = self._write(self._locked_for_write(), data.validated_data)
        return self._respond(calendar)

    @extend_schema(
        summary="Delete a business calendar (admins)",
        responses={204: None},
        description="409 while a policy still uses the calendar.",
    )
    def destroy(self, request, *args, **kwargs):
        services.calendar_delete(calendar=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
