"""Cursor pagination for every API list (``REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

from support.errors import NotFound

INVALID_CURSOR = "No such page: use a cursor from a previous answer's next or previous link."


class StableCursorPagination(CursorPagination):
    """Cursor pagination whose order always ends in the primary key, so pages never skip or
    repeat rows that share a timestamp. Views name their orderings in ``ordering_choices``."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def get_ordering(self, request, queryset, view):
        choices: dict[str, tuple[str, ...]] = getattr(view, "ordering_choices", {})
        value = request.query_params.get("ordering") or getattr(view, "default_ordering", "")
        if not choices:
            return ("-id",)
        if value not in choices:
            raise exceptions.ValidationError({"ordering": [f"{value!r} is not a valid ordering."]})
        return choices[value]

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

    # A cursor names a page; one we never gave out names no page: 404, as for an id that names
    # nothing (DRF's own answer), with the field named. Any string is a well-formed cursor, so
    # the schema can't tell a made-up one from a real one — a 400 would call it malformed.
    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise NotFound(INVALID_CURSOR, field="cursor") from exc

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError) as exc:
            # A hand-edited cursor whose position isn't a value of the ordering field.
            raise NotFound(INVALID_CURSOR, field="cursor") from exc
