"""Filters of the people API: explicit fields only, each by natural key, and `?ordering=` a cursor can stand on."""

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from integrations.api.filters import UpdatedSinceFilterSet

from .. import selectors
from ..models import LeadershipTeam, Membership, OrgUnit, Person


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
            raise ValidationError({self.ordering_param: [_("Order by one of: %(fields)s.") % {"fields": choices}]})
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


class OrgUnitFilterSet(UpdatedSinceFilterSet):
    parent_code = django_filters.CharFilter(field_name="parent__code")

    class Meta:
        model = OrgUnit
        fields = ["code", "kind", "active", "parent_code", "updated_since"]


class PersonFilterSet(UpdatedSinceFilterSet):
    org_unit_code = django_filters.CharFilter(field_name="org_unit__code")

    class Meta:
        model = Person
        fields = ["employee_number", "org_unit_code", "active", "updated_since"]


class TeamFilterSet(UpdatedSinceFilterSet):
    org_unit_code = django_filters.CharFilter(field_name="org_unit__code")

    class Meta:
        model = LeadershipTeam
        fields = ["org_unit_code", "active", "updated_since"]


class MembershipFilterSet(UpdatedSinceFilterSet):
    team_code = django_filters.CharFilter(field_name="team__org_unit__code")
    employee_number = django_filters.CharFilter(field_name="person__employee_number")
    current_on = django_filters.DateFilter(method="filter_current_on")

    class Meta:
        model = Membership
        fields = ["team_code", "employee_number", "is_principal", "current_on", "updated_since"]

    def filter_current_on(self, queryset: QuerySet[Membership], name: str, value: dt.date) -> QuerySet[Membership]:
        return queryset.filter(selectors.held_on(value))
