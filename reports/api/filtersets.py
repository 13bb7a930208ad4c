import django_filters

from core.api.filters import IntegerFilter, UpdatedSinceFilterSet

from ..models import ReportJob


class ReportJobFilterSet(UpdatedSinceFilterSet):
    # Plain ids, as on every other list: an id of nothing lists nothing (and "\x00" is a 400 the schema names).
    cycle = IntegerFilter(field_name="cycle_id")
    case = IntegerFilter(field_name="case_id")
    kind = django_filters.ChoiceFilter(choices=ReportJob.Kind.choices)
    status = django_filters.ChoiceFilter(choices=ReportJob.Status.choices)
    # `parent` lists a bulk run's reports; without it, children are listed with everything else.
    parent = django_filters.NumberFilter(field_name="parent_id", min_value=1)

    class Meta:
        model = ReportJob
        fields = ["cycle", "case", "kind", "status", "parent", "updated_since"]
