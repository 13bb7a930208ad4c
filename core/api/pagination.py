"""Cursor pagination for every list: stable under concurrent writes, no COUNT(*) over large tables."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Sync clients walk lists in the order rows changed; the id breaks ties between rows saved together.
    ordering = ("updated_at", "id")

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request):
        # The position inside a cursor comes back from the client: one the ordering field cannot hold ("abc"
        # for an id, a NUL byte, which PostgreSQL refuses) is an invalid cursor, a 404, not a server error.
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            field = self._model._meta.get_field(self.ordering[0].removeprefix("-"))
            try:
                value = field.to_python(cursor.position)
            except ValidationError:
                raise NotFound(self.invalid_cursor_message) from None
            if isinstance(value, str) and "\x00" in value:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view) -> list[dict]:
        # The page size is checked and documented by the list's filters (StrictFilterSet); the paginator
        # documents only the cursor.
        return [p for p in super().get_schema_operation_parameters(view) if p["name"] != self.page_size_query_param]


class CursorById(Cursor):
    """For rows that never change once written (results of a version, deliveries)."""

    ordering = ("id",)
