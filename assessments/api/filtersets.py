"""Filters of the assessments API, every field named explicitly."""

import django_filters
from django.db.models import QuerySet

from core.api.filters import IntegerFilter, StrictFilterSet, UpdatedSinceFilterSet

from .. import selectors
from ..models import Case, CaseSubject, Cycle, Framework, Grade, SubjectResult


class FrameworkFilterSet(StrictFilterSet):
    code = django_filters.CharFilter()
    locked = django_filters.BooleanFilter()

    class Meta:
        model = Framework
        fields = ["code", "locked"]


class CycleFilterSet(UpdatedSinceFilterSet):
    status = django_filters.ChoiceFilter(choices=Cycle.Status.choices)
    year = IntegerFilter()
    framework = IntegerFilter(field_name="framework_id")

    class Meta:
        model = Cycle
        fields = ["status", "year", "framework", "updated_since"]


class CaseFilterSet(UpdatedSinceFilterSet):
    cycle = IntegerFilter(field_name="cycle_id")
    status = django_filters.ChoiceFilter(choices=Case.Status.choices)
    team = IntegerFilter(field_name="team_id")
    org_unit = django_filters.CharFilter(field_name="team__org_unit__code", help_text="An org unit's code.")

    class Meta:
        model = Case
        fields = ["cycle", "status", "team", "org_unit", "updated_since"]


FLAGS = {
    "removal_review": "flag_removal_review",
    "warning_talk": "flag_warning_talk",
}


class ResultFilterSet(StrictFilterSet):
    cycle = IntegerFilter(field_name="cycle_id")
    case = IntegerFilter(field_name="case_id")
    team = IntegerFilter(field_name="case__team_id")
    org_unit = django_filters.CharFilter(field_name="case__team__org_unit__code", help_text="An org unit's code.")
    kind = django_filters.ChoiceFilter(field_name="subject__kind", choices=CaseSubject.Kind.choices)
    grade = django_filters.ChoiceFilter(choices=Grade.choices, method="filter_grade")
    flag = django_filters.ChoiceFilter(
        choices=[(name, SubjectResult._meta.get_field(field).verbose_name) for name, field in FLAGS.items()],
        method="filter_flag",
    )

    class Meta:
        model = SubjectResult
        fields = ["cycle", "case", "team", "org_unit", "kind", "grade", "flag"]

    # Grades and flags are hidden below k: matching on the stored value would reveal them.
    def filter_grade(self, queryset: QuerySet[SubjectResult], name: str, value: str) -> QuerySet[SubjectResult]:
        return selectors.subject_results_with_figures_shown(queryset).filter(grade=value)

    def filter_flag(self, queryset: QuerySet[SubjectResult], name: str, value: str) -> QuerySet[SubjectResult]:
        return selectors.subject_results_with_figures_shown(queryset).filter(**{FLAGS[value]: True})
