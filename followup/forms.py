"""Forms of the feedback-talk, appeal and improvement-plan pages. They parse and say what is wrong with a field;
whether the state allows the change, and every rule about dates and limits, is the services' to say."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.models import Indicator

from .models import FeedbackTalk, ImprovementPlan
from .services.feedback import MAX_TEXT
from .services.plans import FILES_PER_UPDATE, TEXT_LIMIT, TITLE_LIMIT


class PlanGoalForm(forms.Form):
    goal = forms.CharField(
        label=_("Goal of the plan"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What should be different by the end of the plan, in a sentence or two."),
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=TITLE_LIMIT)
    description = forms.CharField(
        label=_("What will be done"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    indicator = forms.ModelChoiceField(
        label=_("Targets indicator"), queryset=Indicator.objects.none(), required=False, empty_label=_("(none)")
    )
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, indicators: QuerySet[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the indicators of the cycle's own framework version: the service refuses any other.
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].label_from_instance = lambda i: f"{i.dimension.label} · {i.label}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): a list of uploads, possibly empty."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))
    progress = forms.IntegerField(
        label=_("Progress now (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    files = MultipleFileField(
        label=_("Evidence files (optional)"),
        required=False,
        help_text=_("PDF, images (JPEG, PNG, WebP) or Office files; up to %(n)d at a time.") % {"n": FILES_PER_UPDATE},
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the plan goes back (the leader reads it)"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Verification note"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )


class PlanFilterForm(forms.Form):
    """HR's filters on a cycle's plans (GET): a bad value is ignored rather than an error page."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ImprovementPlan.Status.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    org_unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, org_units: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", _("Every unit")), *org_units]


class FeedbackTalkForm(forms.Form):
    held_on = forms.DateField(label=_("Talk held on"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(
        label=_("Who took part"),
        required=False,
        max_length=500,
        help_text=_("Names and roles of everyone present."),
    )
    notes = forms.CharField(
        label=_("Key points of the talk"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealDecisionForm(forms.Form):
    """HR's decision on a pending appeal: dismiss it, or send the result for review; either way with the reason
    the leader will read."""

    DISMISS, REVIEW = "dismiss", "review"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(DISMISS, _("Dismiss the appeal")), (REVIEW, _("Send the result for review"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (the leader reads it)"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewConcludeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome of the review (the leader reads it)"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackResponseForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Your response"), choices=FeedbackTalk.Response.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("In your own words"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for an appeal: say which findings you dispute and why."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("response") == FeedbackTalk.Response.APPEAL and not (data.get("text") or "").strip():
            self.add_error("text", _("An appeal needs its reasons."))
        return data
