"""Query-parameter filtering: a backend that refuses undeclared parameters
(``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``) and the filters the resources declare."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions

from support.ids import MAX_ID

PAGINATION_PARAMS = frozenset({"cursor", "page_size"})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, refusing every query parameter that isn't declared.

    An unknown parameter (a typo, or a probe such as ``requester__user__password__startswith``)
    is a 400 naming it, never silently ignored. Filters only apply to lists.
    """

    def filter_queryset(self, request, queryset, view):
        is_list = getattr(view, "action", None) == "list"
        allowed = set(getattr(view, "extra_query_params", ()))
        filterset_class = None
        if is_list:
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is not None:
                allowed |= set(filterset_class.base_filters)
            if getattr(view, "pagination_class", None) is not None:
                allowed |= PAGINATION_PARAMS
        prefixes = tuple(getattr(view, "extra_query_prefixes", ())) if is_list else ()
        unknown = sorted(
            name
            for name in set(request.query_params) - allowed
            if not (prefixes and name.startswith(prefixes))
        )
        if unknown:
            raise exceptions.ValidationError(
                {name: ["Unknown query parameter."] for name in unknown}
            )
        problems = query_value_problems(request.query_params, filterset_class if is_list else None)
        if problems:
            raise exceptions.ValidationError(problems)
        if not is_list:
            return queryset
        if filterset_class is None or not set(request.query_params) & set(
            filterset_class.base_filters
        ):
            # No filter asked for: nothing for a FilterSet to do (it deep-copies its filters
            # and builds a form on every request).
            return queryset
        return super().filter_queryset(request, queryset, view)


BOOLEAN_VALUES = frozenset({"true", "false", "True", "False", "1", "0"})


def query_value_problems(params, filterset_class) -> dict[str, list[str]]:
    """A parameter given twice, or an empty or malformed value for a filter that is not free
    text, is a 400 — django-filter would ignore it and answer as if it were not there."""
    problems: dict[str, list[str]] = {}
    filters = filterset_class.base_filters if filterset_class is not None else {}
    for name in params:
        values = params.getlist(name)
        if len(values) > 1:
            problems[name] = ["Give this parameter once."]
            continue
        value = values[0]
        declared = filters.get(name)
        if declared is None or isinstance(declared, django_filters.CharFilter):
            continue
        if value == "":
            problems[name] = ["Give a value, or leave the parameter out."]
        elif isinstance(declared, django_filters.BooleanFilter) and value not in BOOLEAN_VALUES:
            problems[name] = ["Must be true or false."]
    return problems


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """``?status=open,pending``: one or more choices, comma-separated."""


def noop_filter(queryset, name, value):
    """For ``ordering``: declared on the FilterSet to be validated and documented; the paginator
    applies it (see :class:`support.api.pagination.StableCursorPagination`)."""
    return queryset


def ordering_filter(choices) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        choices=[(c, c) for c in choices],
        method=noop_filter,
        help_text="Sort order; a leading '-' is descending.",
    )


FIRST = datetime.min.replace(tzinfo=UTC)
LAST = datetime.max.replace(tzinfo=UTC)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time compared in UTC. Any offset ISO allows is taken (``+22:38``), and
    PostgreSQL keeps only offsets within ±15:59: the value is converted before it is sent (it
    was a 500). Out of Python's range once converted, it is the first or last moment there is."""

    def filter(self, qs, value):
        if isinstance(value, datetime):
            try:
                value = value.astimezone(UTC)
            except OverflowError:
                value = FIRST if value.year == 1 else LAST
        return super().filter(qs, value)
