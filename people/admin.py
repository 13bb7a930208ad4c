from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from .forms import ImportForm
from .importers import ImportReport, import_file
from .models import LeadershipTeam, Membership, OrgUnit, Person

# A file in the wrong layout can produce an error per row; the page shows the first ones.
_ERRORS_SHOWN = 200


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    list_select_related = ("parent",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("employee_number", "name", "org_unit", "title", "party", "active")
    list_filter = ("active", "gender", "party", "org_unit__kind")
    search_fields = ("employee_number", "name")
    autocomplete_fields = ("org_unit", "user")
    list_select_related = ("org_unit",)
    change_list_template = "people/admin/person_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        import_url = path("import/", self.admin_site.admin_view(self.import_view), name="people_person_import")
        return [import_url, *super().get_urls()]

    def has_import_permission(self, request: HttpRequest) -> bool:
        # An import creates and updates people; it needs both rights, like the add and change forms together.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        report: ImportReport | None = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_file(
                file=upload,
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
                kind=form.cleaned_data["kind"] or None,
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import people and organisation from CSV or XLSX"),
            "form": form,
            "report": report,
            "errors_shown": report.errors[:_ERRORS_SHOWN] if report else [],
            "errors_hidden": max(0, len(report.errors) - _ERRORS_SHOWN) if report else 0,
        }
        return TemplateResponse(request, "people/admin/import.html", context)


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("person", "position", "is_principal", "start_date", "end_date")
    autocomplete_fields = ("person",)
    extra = 0


@admin.register(LeadershipTeam)
class LeadershipTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "active")
    list_filter = ("active", "org_unit__kind")
    search_fields = ("name", "org_unit__code", "org_unit__name")
    autocomplete_fields = ("org_unit",)
    list_select_related = ("org_unit",)
    inlines = (MembershipInline,)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("person", "team", "position", "is_principal", "start_date", "end_date")
    list_filter = ("is_principal", ("end_date", admin.EmptyFieldListFilter))
    search_fields = ("person__employee_number", "person__name", "team__name", "team__org_unit__code")
    autocomplete_fields = ("team", "person")
    list_select_related = ("person", "team")
