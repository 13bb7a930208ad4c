"""Forms: a ballot-sheet section from a plain form POST (the same fields the page's script sends), and the
cycle desk's forms. Business rules stay in the services; forms only parse and say what is wrong."""

import re

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from people.models import LeadershipTeam
from people.selectors import people_by_employee_numbers, teams_active

from .models import Cycle
from .selectors import frameworks_usable
from .services.ballots import Section
from .services.codes import MAX_CODES_AT_ONCE
from .services.cycles import EDITABLE_SETTINGS


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
    """A new cycle: its framework and year, and every per-cycle setting with the model's own validation."""

    class Meta:
        model = Cycle
        fields = ("name", "year", "framework", *EDITABLE_SETTINGS[1:])
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
    """A draft cycle's settings; framework and year stay as created."""

    class Meta(CycleForm.Meta):
        fields = EDITABLE_SETTINGS


def _split_numbers(value: str) -> list[str]:
    return list(dict.fromkeys(n for n in re.split(r"[\s,，;；、]+", value or "") if n))


class AddTeamsForm(forms.Form):
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=LeadershipTeam.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    anonymous_ballots = forms.IntegerField(
        label=_("Anonymous ballot codes per team"),
        min_value=0,
        max_value=MAX_CODES_AT_ONCE,
        initial=0,
        help_text=_("For subordinates and employee representatives at the evaluation meeting."),
    )
    superiors = forms.CharField(
        label=_("Superior raters (employee numbers)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separate with spaces, commas or new lines. They rate every team added here."),
    )

    def __init__(self, *args, cycle: Cycle, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams_active().exclude(cases__cycle=cycle)

    def clean_superiors(self) -> list:
        numbers = _split_numbers(self.cleaned_data.get("superiors", ""))
        people, missing = people_by_employee_numbers(numbers=numbers)
        if missing:
            raise forms.ValidationError(
                _("No active person has these employee numbers: %(numbers)s") % {"numbers": ", ".join(missing)}
            )
        return people


class CodesAddForm(forms.Form):
    count = forms.IntegerField(label=_("How many more codes"), min_value=1, max_value=MAX_CODES_AT_ONCE)
