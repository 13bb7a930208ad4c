"""Filters every list endpoint shares."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from .pagination import Cursor

BLANK = _("Send a value or leave the parameter out.")
NOT_BOOLEAN = _("Send true or false.")
# What the schema's `boolean` means in a query string. django-filter's NullBooleanField reads anything else
# ("null", "yes please") as "no filter", so a typo would silently return every row.
BOOLEAN_WORDS = {"true", "false", "True", "False", "1", "0"}


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """An id or a year: "1.5" or "abc" is a 400 with the field named, not a lookup on a decimal; and so is a
    number beyond a 64-bit integer, which SQLite's driver cannot even send (a 500 before)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class PageSizeFilter(django_filters.Filter):
    field_class = forms.IntegerField


class StrictFilterSet(django_filters.FilterSet):
    """Every list's filters. Two things django-filter and DRF let pass are refused here, with a 400 the schema
        documents: a parameter sent empty (`?updated_since=`), which django-filter ignores, so that a client with
        a bug would get everything instead of what it meant; a boolean that is not true or false, for the same
    reason; and a page size out of range, which DRF's paginator
        silently replaces with the default."""

    page_size = PageSizeFilter(method="_page_size", min_value=1, max_value=Cursor.max_page_size)

    @property
    def form(self) -> forms.Form:
        form = super().form
        for field in form.fields.values():
            field.error_messages.setdefault("blank", BLANK)
            if isinstance(field, forms.NullBooleanField):
                field.error_messages.setdefault("invalid", NOT_BOOLEAN)
        return form

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, field in self.form.fields.items():
            if name in self.data and self.data.get(name) == "":
                self.form.add_error(name, forms.ValidationError(field.error_messages["blank"], code="blank"))
                valid = False
            elif isinstance(field, forms.NullBooleanField) and name in self.data:
                values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
                if any(value not in BOOLEAN_WORDS for value in values):
                    self.form.add_error(name, forms.ValidationError(field.error_messages["invalid"], code="invalid"))
                    valid = False
        return valid

    def _page_size(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset  # checked here, applied by the paginator


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """ISO 8601 allows any offset (+17:48 parses), PostgreSQL only up to ±15:59: compare in UTC."""

    def filter(self, qs: QuerySet, value):
        return super().filter(qs, value.astimezone(dt.UTC) if value else value)


class UpdatedSinceFilterSet(StrictFilterSet):
    """`updated_since=<ISO 8601>`: what changed at or after that moment (deactivations included)."""

    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")


class CursorOrdering(OrderingFilter):
    """`?ordering=<field>` or `-<field>`, one of the view's `ordering_fields`; without it, the paginator's
    (updated_at, id), the order a syncing client wants.

    DRF's cursor pages on the first ordering field (a position plus an offset among equal values), so views
    offer only fields that are indexed, never null and unique or nearly so; `id` follows to break ties the
    same way on every page. An unknown field is a 400, not silently the default: a client that walks a list
    in the wrong order would miss rows without knowing.
    """

    def get_ordering(self, request, queryset, view) -> list[str] | None:
        if self.ordering_param not in request.query_params:
            return None
        value = request.query_params.get(self.ordering_param, "").strip()
        field = value.removeprefix("-")
        if field not in view.ordering_fields:
            choices = ", ".join(view.ordering_fields)
            raise ValidationError(
                {self.ordering_param: [gettext("Order by one of: %(fields)s.") % {"fields": choices}]}
            )
        if field == "id":
            return [value]
        return [value, "-id" if value.startswith("-") else "id"]

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": force_str(self.ordering_description),
                "schema": {"type": "string", "enum": [sign + f for f in view.ordering_fields for sign in ("", "-")]},
            }
        ]
