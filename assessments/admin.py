"""HR's admin for frameworks, cycles and cases (the action library, plans and talks are followup's). Transitions
are actions that call the services. Ballots, sections and scores are deliberately not here, and have no history:
an admin page of single sheets, or a record of when each was saved, would undo the anonymity DESIGN.md
promises. Cycles and cases show their change history (django-simple-history)."""

from types import SimpleNamespace

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import (
    Case,
    CaseRater,
    Cycle,
    CycleRaterGroup,
    Dimension,
    Framework,
    Indicator,
    TimelineEvent,
)
from .services.groups import preset_apply, weights_problem
from .services.transitions import cycle_transition_apply


class LockedFrameworkMixin:
    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        framework = getattr(obj, "framework", None) or getattr(getattr(obj, "dimension", None), "framework", obj)
        if isinstance(framework, Framework) and framework.locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_change_permission(request, obj) and super().has_delete_permission(request, obj)


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ("order", "code", "name", "name_en", "weight")


@admin.register(Framework)
class FrameworkAdmin(LockedFrameworkMixin, admin.ModelAdmin):
    list_display = ("name", "code", "version", "locked", "created_at")
    search_fields = ("name", "name_en", "code")
    readonly_fields = ("locked",)
    inlines = [DimensionInline]
    actions = ["new_version"]

    @admin.action(description=_("Copy into a new, editable version"))
    def new_version(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset:
            copy = services.framework_new_version(framework=framework)
            self.message_user(request, _("Created %(framework)s.") % {"framework": copy})


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0
    fields = ("order", "code", "name", "name_en", "description", "description_en", "weight", "rubric")


@admin.register(Dimension)
class DimensionAdmin(LockedFrameworkMixin, admin.ModelAdmin):
    list_display = ("name", "code", "framework", "weight", "order")
    list_filter = ("framework",)
    search_fields = ("name", "name_en", "code")
    inlines = [IndicatorInline]


def _draft(cycle: Cycle | None) -> bool:
    return cycle is not None and cycle.status == Cycle.Status.DRAFT


class DraftOnlyInline(admin.TabularInline):
    """Rows a cycle's ballots are counted under: changed only while the cycle is a draft, read-only after."""

    def cycle_of(self, obj) -> Cycle | None:
        return obj

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return (obj is None or _draft(self.cycle_of(obj))) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return (obj is None or _draft(self.cycle_of(obj))) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return (obj is None or _draft(self.cycle_of(obj))) and super().has_delete_permission(request, obj)


class RaterGroupFormSet(BaseInlineFormSet):
    """The cycle's groups are checked as a whole, as services.rater_groups_set checks them: a sum of weights that
    is not 100 is a message on the page, never a database error."""

    def clean(self) -> None:
        super().clean()
        adding = self.instance.pk is None
        if any(self.errors) or not (adding or _draft(self.instance)):
            return
        live = [form.cleaned_data for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        if adding and not live:
            return  # a cycle added without groups gets the standard preset (CycleAdmin.save_related)
        problem = weights_problem(SimpleNamespace(**row) for row in live)
        if problem:
            raise ValidationError(problem)

    def save(self, commit: bool = True):
        if commit and self.instance.pk:
            # Codes and kinds may move between rows (two groups trading codes, the members' group becoming another
            # kind while another becomes it): park each row about to be rewritten or removed on values no unique
            # index minds, so that the rows are saved one by one without two ever colliding.
            for form in self.initial_forms:
                if form.instance.pk and (form.has_changed() or self._should_delete_form(form)):
                    CycleRaterGroup.objects.filter(pk=form.instance.pk).update(
                        code=f"~{form.instance.pk}", source=CycleRaterGroup.Source.NAMED, counted=False, weight=0
                    )
        return super().save(commit)


class RaterGroupInline(DraftOnlyInline):
    model = CycleRaterGroup
    formset = RaterGroupFormSet
    extra = 0
    fields = ("order", "code", "name_zh", "name_en", "source", "weight", "counted", "min_size", "panel")
    autocomplete_fields = ("panel",)


class CaseInline(admin.TabularInline):
    model = Case
    extra = 0
    fields = ("team", "code_counts", "status")
    readonly_fields = ("status",)
    autocomplete_fields = ("team",)
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return obj is not None and obj.status == Cycle.Status.DRAFT and super().has_add_permission(request, obj)


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin):
    list_display = ("name", "year", "status", "test_mode", "opens_at", "closes_at", "results_version")
    list_filter = ("status", "year", "test_mode")
    search_fields = ("name",)
    readonly_fields = ("status", "results_version")
    inlines = [RaterGroupInline, CaseInline]
    actions = ["open_cycles", "close_cycles", "score_cycles", "release_cycles", "purge_test_ballots"]
    fieldsets = (
        (None, {"fields": ("name", "year", "framework", "status", "test_mode", "opens_at", "closes_at")}),
        (
            _("Scale"),
            {"fields": ("scale_min", "scale_max")},
        ),
        (
            _("Rules"),
            {
                "fields": (
                    "trim_above",
                    "void_if_all_identical",
                    "void_if_all_max",
                    "excellent_quota_percent",
                    "min_group_size",
                    "quorum_percent",
                    "removal_share",
                    "warning_share",
                )
            },
        ),
        (_("Grade bands"), {"fields": ("band_excellent", "band_competent", "band_basic")}),
        (_("Results"), {"fields": ("results_version",)}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Cycle | None = None):
        # Once a cycle is open its rules are what the ballots were cast under.
        if obj is not None and obj.status != Cycle.Status.DRAFT:
            return [f.name for f in Cycle._meta.fields if f.name not in ("id", "closes_at")]
        return self.readonly_fields

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A cycle added here with no groups of its own gets the standard ones, as on the desk.
        if not change and not form.instance.rater_groups.exists():
            preset_apply(cycle=form.instance, preset="standard")

    def _each(self, request: HttpRequest, queryset: QuerySet[Cycle], name: str, done: str) -> dict:
        """The desk's transition (services/transitions.py) on each selected cycle."""
        issued: dict = {}
        for cycle in queryset:
            try:
                transition, result = cycle_transition_apply(cycle=cycle, name=name, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{cycle}: {' '.join(error.messages)}", messages.ERROR)
                continue
            if transition.issues_codes:
                issued.update(result)
            self.message_user(request, done % {"cycle": cycle})
        return issued

    def _show_codes(self, request: HttpRequest, issued: dict) -> HttpResponse | None:
        if not any(issued.values()):
            return None
        cases = Case.objects.filter(pk__in=issued).select_related("team", "cycle")
        return TemplateResponse(
            request,
            "assessments/admin/codes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Anonymous ballot codes"),
                "cases": [(case, issued[case.pk]) for case in cases],
            },
        )

    @admin.action(description=_("Open: create assignments and issue ballot codes"))
    def open_cycles(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> HttpResponse | None:
        return self._show_codes(request, self._each(request, queryset, "open", _("%(cycle)s is open.")))

    @admin.action(description=_("Close for ballots"))
    def close_cycles(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        self._each(request, queryset, "close", _("%(cycle)s is closed."))

    @admin.action(description=_("Compute results (in the background)"))
    def score_cycles(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        self._each(request, queryset, "score", _("%(cycle)s is being scored by a worker."))

    @admin.action(description=_("Release results to leaders"))
    def release_cycles(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> None:
        self._each(request, queryset, "release", _("%(cycle)s is released."))

    @admin.action(description=_("End the rehearsal: purge test ballots and issue new codes"))
    def purge_test_ballots(self, request: HttpRequest, queryset: QuerySet[Cycle]) -> HttpResponse | None:
        issued = self._each(request, queryset, "purge", _("%(cycle)s: test ballots purged."))
        return self._show_codes(request, issued)


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ("created_at", "action", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CaseRaterInline(DraftOnlyInline):
    """The people HR names to rate this team, each in one of the cycle's "named" groups."""

    model = CaseRater
    extra = 0
    fields = ("group", "person")
    autocomplete_fields = ("person",)

    def cycle_of(self, obj) -> Cycle | None:
        return obj.cycle if obj is not None else None

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("group")
        if field is not None:
            field.queryset = CycleRaterGroup.objects.filter(
                cycle=obj.cycle if obj is not None else None, source=CycleRaterGroup.Source.NAMED
            )
        return formset


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("team", "cycle", "status", "anonymous_ballots")
    list_filter = ("cycle", "status")
    search_fields = ("team__name", "team__org_unit__code")
    autocomplete_fields = ("team",)
    readonly_fields = ("status",)
    list_select_related = ("team", "cycle")
    inlines = [CaseRaterInline, TimelineInline]

    def get_inlines(self, request: HttpRequest, obj: Case | None):
        # A case's named raters come from its cycle's groups: they are named once the case exists.
        return self.inlines if obj is not None else [TimelineInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Case | None = None):
        if obj is not None and obj.cycle.status != Cycle.Status.DRAFT:
            return ("cycle", "team", "status", "code_counts")
        return self.readonly_fields


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "cycle", "case", "action", "from_status", "to_status", "actor")
    list_filter = ("action", "cycle")
    list_select_related = ("cycle", "case__team", "actor")


# No admin pages for results (SubjectResult, CaseResult, CycleResult): a model admin lists stored rows, and the
# stored figures are what the k-suppressing selectors hide. HR reads results on the cycle desk and the case pages,
# and over the API, each through the selectors (visibility.py).
