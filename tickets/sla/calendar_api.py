"""Business calendars in ``/api/v1/business-calendars``: the calendars SLA policies count
business time in (admins write, agents read; ``ETag`` / ``If-Match`` as for the policies,
``tickets.sla.api``)."""

from __future__ import annotations

import zoneinfo

import django_filters
from django.db import transaction
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from support import clock
from support.api.filters import ordering_filter
from support.api.permissions import ApiPermission
from support.api.schema import ID_REGEX, IDEMPOTENCY, IF_MATCH
from support.api.serializers import StrictInputSerializer, time_zone_field
from support.api.views import ApiViewMixin
from tickets.sla import services
from tickets.sla.api import (
    EtagViewMixin,
    SlaSettingsPermission,
    api_field_errors,
)
from tickets.sla.business_time import WEEKDAYS, Calendar, CalendarError
from tickets.sla.models import BusinessCalendar


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=120, allow_blank=True, required=False, default="")


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


class BusinessCalendarInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    time_zone = time_zone_field(default="UTC")
    always_open = serializers.BooleanField(default=False)
    hours = serializers.DictField(
        child=serializers.ListField(
            child=serializers.ListField(
                child=serializers.CharField(max_length=5), min_length=2, max_length=2
            ),
            max_length=12,
        ),
        required=False,
        help_text='Weekly open hours: {"mon": [["09:00", "17:00"]], ...}; days mon … sun; an '
        "interval whose end is before its start runs past midnight. Default: Mon–Fri 09–17.",
    )
    holidays = serializers.ListField(
        child=HolidaySerializer(),
        required=False,
        max_length=1000,
        help_text="The calendar's whole holiday list (replaces it).",
    )
    holiday_country = serializers.RegexField(
        r"^[A-Za-z]{2,3}$",
        required=False,
        help_text="ISO code (DE, US, GB …): adds this year's and next year's public holidays.",
    )

    def validate_time_zone(self, value: str) -> str:
        return _validate_time_zone(value)

    def validate_hours(self, value: dict) -> dict:
        return _validate_hours(value)


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
