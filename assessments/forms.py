"""Forms: a ballot-sheet section from a plain form POST (the same fields the page's script sends), and the
cycle desk's forms. Business rules stay in the services; forms only parse and say what is wrong."""

import re
from decimal import Decimal
from types import SimpleNamespace

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from people.models import LeadershipTeam, Person
from people.selectors import people_by_employee_numbers, teams_active

from .models import Cycle, CycleRaterGroup
from .presets import PRESET_CHOICES
from .selectors import frameworks_usable
from .services.ballots import Section
from .services.codes import MAX_CODES_AT_ONCE
from .services.cycles import EDITABLE_SETTINGS
from .services.groups import MAX_GROUPS, group_row, weights_problem


def section_changes(*, post: QueryDict, section: Section, indicators: list) -> dict:
    """The draft change for one section: `i<indicator id>` scores, `vote`, `comment`. Fields absent from
    the POST are left as they were; an empty score field clears that score."""
    change: dict = {"scores": {}}
    for indicator in indicators:
        name = f"i{indicator.pk}"
        if name in post:
            change["scores"][str(indicator.pk)] = post[name].strip() or None
    if "vote" in post:
        change["vote"] = post["vote"]
    if "comment" in post:
        change["comment"] = post["comment"]
    return {"sections": {str(section.subject.pk): change}}


class CycleForm(forms.ModelForm):
    """A new cycle: its framework and year, the preset its rater groups start from, and every per-cycle setting
    with the model's own validation."""

    preset = forms.ChoiceField(
        label=_("Rater groups"),
        choices=PRESET_CHOICES,
        initial="standard",
        help_text=_("Who rates and how much each group weighs. Change the groups on the cycle's page until it opens."),
    )

    class Meta:
        model = Cycle
        fields = ("name", "year", "framework", "preset", *EDITABLE_SETTINGS[1:])
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "framework" in self.fields:
            self.fields["framework"].queryset = frameworks_usable()
            self.fields["framework"].empty_label = None


class CycleSettingsForm(CycleForm):
    """A draft cycle's settings; framework, year and preset stay as created (the groups have a page of their own)."""

    preset = None

    class Meta(CycleForm.Meta):
        fields = EDITABLE_SETTINGS


def _split_numbers(value: str) -> list[str]:
    return list(dict.fromkeys(n for n in re.split(r"[\s,，;；、]+", value or "") if n))


def _people(value: str) -> list[Person]:
    """The active people whose employee numbers are typed in `value`; any unknown number is an error."""
    people, missing = people_by_employee_numbers(numbers=_split_numbers(value))
    if missing:
        raise forms.ValidationError(
            _("No active person has these employee numbers: %(numbers)s") % {"numbers": ", ".join(missing)}
        )
    return people


class AddTeamsForm(forms.Form):
    """Teams to add to a draft cycle, with one field per rater group HR fills per team: the named raters of each
    "named" group, and the number of one-time codes of each anonymous group. Every team added gets the same."""

    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=LeadershipTeam.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, cycle: Cycle, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams_active().exclude(cases__cycle=cycle)
        self.named: list[CycleRaterGroup] = []
        self.anonymous: list[CycleRaterGroup] = []
        for group in cycle.groups:
            if group.source == CycleRaterGroup.Source.NAMED:
                self.named.append(group)
                self.fields[f"raters_{group.code}"] = forms.CharField(
                    label=_("%(group)s: raters' employee numbers") % {"group": group.name},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text=_("Separate with spaces, commas or new lines. They rate every team added here."),
                )
            elif group.source == CycleRaterGroup.Source.CODES:
                self.anonymous.append(group)
                self.fields[f"codes_{group.code}"] = forms.IntegerField(
                    label=_("%(group)s: anonymous ballot codes per team") % {"group": group.name},
                    required=False,
                    min_value=0,
                    max_value=MAX_CODES_AT_ONCE,
                    initial=0,
                    help_text=_("One-time codes, printed as slips for the evaluation meeting."),
                )

    def clean(self) -> dict:
        cleaned = super().clean()
        for group in self.named:
            name = f"raters_{group.code}"
            if name in cleaned:
                try:
                    cleaned[name] = _people(cleaned[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned

    def cases_add_kwargs(self) -> dict:
        """What services.cases_add takes: the teams, the named raters and the numbers of codes per group code."""
        data = self.cleaned_data
        return {
            "teams": data["teams"],
            "raters": {g.code: data[f"raters_{g.code}"] for g in self.named if data.get(f"raters_{g.code}")},
            "codes": {g.code: data[f"codes_{g.code}"] for g in self.anonymous if data.get(f"codes_{g.code}")},
        }


class CodesAddForm(forms.Form):
    count = forms.IntegerField(label=_("How many more codes"), min_value=1, max_value=MAX_CODES_AT_ONCE)

    def __init__(self, *args, cycle: Cycle | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        anonymous = [g for g in cycle.groups if g.source == CycleRaterGroup.Source.CODES] if cycle else []
        if len(anonymous) > 1:
            self.fields["rater_group"] = forms.ChoiceField(
                label=_("For the group"), choices=[(g.code, g.name) for g in anonymous]
            )


# --- A draft cycle's rater groups: one form per group, the whole set saved at once by the service -------------


class RaterGroupForm(forms.Form):
    """One rater group of a draft cycle. Each row is checked with the model's own rules, so a problem is shown
    beside its field; the set as a whole (weights, codes) is checked by the formset and the service."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("Lower-case letters, digits and _, from a letter; the self-evaluation's is “self”."),
    )
    # Blank first: a browser sends a select's first option, and a new row left alone must stay unchanged.
    source = forms.ChoiceField(label=_("Raters come from"), choices=[("", "—"), *CycleRaterGroup.Source.choices])
    weight = forms.DecimalField(
        label=_("Weight (%)"), min_value=Decimal(0), max_value=Decimal(100), max_digits=5, decimal_places=2
    )
    counted = forms.BooleanField(label=_("Counts in the total"), required=False, initial=True)
    min_size = forms.IntegerField(
        label=_("Own minimum size k"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Empty: the cycle's k."),
    )
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=1000)
    panel = forms.CharField(
        label=_("Panel members"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a panel only: employee numbers, separated with spaces, commas or new lines."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get("id") and self.initial.get("source") != CycleRaterGroup.Source.PANEL:
            # Only a panel has members: a group that is not one shows no box for them (changed into a panel, it
            # gets its members once saved).
            self.fields["panel"].widget = forms.HiddenInput()

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        group = CycleRaterGroup(**{f: cleaned.get(f) for f in ("code", "name_zh", "name_en", "source", "weight")})
        group.counted = cleaned.get("counted", False)
        group.min_size = cleaned.get("min_size")
        try:
            group.full_clean(exclude=["cycle", "order"], validate_unique=False, validate_constraints=False)
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        numbers = cleaned.get("panel", "")
        if _split_numbers(numbers) and cleaned.get("source") != CycleRaterGroup.Source.PANEL:
            self.add_error("panel", _("Only a panel group has panel members."))
        elif "panel" not in self.errors:
            try:
                cleaned["panel_people"] = _people(numbers)
            except forms.ValidationError as error:
                self.add_error("panel", error)
        return cleaned


class BaseRaterGroupFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        problem = weights_problem(SimpleNamespace(**row) for row in self.rows())
        if problem:
            raise forms.ValidationError(problem)

    def live_forms(self) -> list[RaterGroupForm]:
        """The forms of the groups to keep or add: neither deleted nor left blank."""
        return [
            f
            for f in self.forms
            if f.cleaned_data and not self._should_delete_form(f) and (f.cleaned_data.get("id") or f.has_changed())
        ]

    def rows(self) -> list[dict]:
        """The groups as services.rater_groups_set takes them: existing ones with their id, new ones without; a
        new group with no order comes after the others."""
        forms_ = self.live_forms()
        last = max((f.cleaned_data.get("order") or 0 for f in forms_), default=0)
        rows = []
        for form in forms_:
            data = form.cleaned_data
            row = {
                "code": data["code"],
                "name_zh": data["name_zh"],
                "name_en": data.get("name_en", ""),
                "source": data["source"],
                "weight": data["weight"],
                "counted": data.get("counted", False),
                "min_size": data.get("min_size"),
                "order": data.get("order"),
            }
            if row["order"] is None:
                last += 1
                row["order"] = last
            if data.get("id"):
                row["id"] = data["id"]
            rows.append(row)
        return rows

    def panels(self) -> dict[str, list[Person]]:
        """The people of each panel group, by code."""
        return {
            f.cleaned_data["code"]: f.cleaned_data.get("panel_people", [])
            for f in self.live_forms()
            if f.cleaned_data["source"] == CycleRaterGroup.Source.PANEL
        }


RaterGroupFormSet = forms.formset_factory(
    RaterGroupForm,
    formset=BaseRaterGroupFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_GROUPS,
    validate_max=True,
    absolute_max=MAX_GROUPS + 10,
)


def rater_group_initial(groups: list[CycleRaterGroup]) -> list[dict]:
    """The formset's initial rows for a cycle's groups."""
    return [
        {**group_row(g), "panel": "\n".join(p.employee_number for p in g.panel.order_by("employee_number"))}
        for g in groups
    ]
