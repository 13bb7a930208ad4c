"""Filters of the people API: explicit fields only, each by natural key."""

import datetime as dt

import django_filters
from django.db.models import QuerySet

from core.api.filters import UpdatedSinceFilterSet

from .. import selectors
from ..models import LeadershipTeam, Membership, OrgUnit, Person


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
