"""Filters of the plans API, every field named explicitly."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from assessments.models import CaseSubject
from core.api.filters import IntegerFilter, UpdatedSinceFilterSet, UtcDateTimeFilter

from ..models import Action, ImprovementPlan
from ..selectors import UNDER_WAY


class PlanFilterSet(UpdatedSinceFilterSet):
    cycle = IntegerFilter(field_name="subject__case__cycle_id")
    case = IntegerFilter(field_name="subject__case_id")
    team = IntegerFilter(field_name="subject__case__team_id")
    org_unit = django_filters.CharFilter(
        field_name="subject__case__team__org_unit__code", help_text="An org unit's code."
    )
    person = django_filters.CharFilter(field_name="subject__person__employee_number", help_text="An employee number.")
    kind = django_filters.ChoiceFilter(field_name="subject__kind", choices=CaseSubject.Kind.choices)
    status = django_filters.MultipleChoiceFilter(
        choices=ImprovementPlan.Status.choices, help_text="One or more: `?status=approved&status=in_progress`."
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="Plans under way with an action past its due day (or none such)."
    )
    # The plan services touch a plan's updated_at whenever one of its actions changes (progress, edits, the
    # overdue check), so the shared filter on updated_at finds those too, and the cursor pages in that order.
    updated_since = UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Plans that changed at or after this moment, their actions' progress included.",
    )

    class Meta:
        model = ImprovementPlan
        fields = ["cycle", "case", "team", "org_unit", "person", "kind", "status", "overdue", "updated_since"]

    def filter_overdue(self, queryset: QuerySet[ImprovementPlan], name: str, value: bool) -> QuerySet[ImprovementPlan]:
        # The rule of each action's `overdue` flag (selectors.action_is_overdue), as SQL.
        late = Action.objects.filter(plan=OuterRef("pk"), due_on__lt=timezone.localdate()).exclude(
            status=Action.Status.DONE
        )
        overdue = Q(Exists(late), status__in=UNDER_WAY)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
