"""What the API shows of frameworks, cycles, cases and results. Results are aggregates only, as the
k-suppressing selector lets every viewer see them: no ballot, score row, rater or per-ballot timestamp."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import StrictCharField
from core.numbers import AS_JSON_NUMBER
from people.models import LeadershipTeam, OrgUnit, Person

from .. import selectors
from ..models import (
    Case,
    CaseSubject,
    Cycle,
    CycleRaterGroup,
    Dimension,
    Framework,
    Grade,
    Indicator,
    SubjectResult,
)
from ..services.cycles import EDITABLE_SETTINGS
from ..services.transitions import CASE_TRANSITIONS, CYCLE_TRANSITIONS


class IndicatorSerializer(serializers.ModelSerializer):
    rubric = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Per level (excellent, good, fair, poor): the rubric text as {'zh': …, 'en': …}.",
    )

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "name_en", "description", "description_en", "weight", "order", "rubric"]
        extra_kwargs = {"weight": AS_JSON_NUMBER}


class DimensionSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True)

    class Meta:
        model = Dimension
        fields = ["id", "code", "name", "name_en", "weight", "order", "indicators"]
        extra_kwargs = {"weight": AS_JSON_NUMBER}


class FrameworkSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True)

    class Meta:
        model = Framework
        fields = ["id", "code", "version", "name", "name_en", "description", "locked", "created_at", "dimensions"]


class RaterGroupSerializer(serializers.ModelSerializer):
    """One of the cycle's rater groups: who rates, how their raters come, and what the group weighs."""

    name = serializers.CharField(read_only=True, help_text="The name in the request's language.")
    k = serializers.IntegerField(
        read_only=True, help_text="The group's own minimum size if it has one, else the cycle's `min_group_size`."
    )
    panel = serializers.SerializerMethodField(
        help_text="A panel group's members (employee numbers), who rate every team of the cycle; empty for others."
    )

    class Meta:
        model = CycleRaterGroup
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "name",
            "source",
            "weight",
            "counted",
            "min_size",
            "k",
            "order",
            "panel",
        ]
        # Shown, never written here: every field is in every answer, and the schema says so.
        read_only_fields = fields
        extra_kwargs = {
            "weight": {**AS_JSON_NUMBER, "help_text": "Percent of the total; 0 for a group that does not count."},
            "counted": {
                "help_text": "Whether the group counts in the weighted total (the self-evaluation never does)."
            },
            "min_size": {"help_text": "The group's own k; null: the cycle's `min_group_size`."},
        }

    def get_panel(self, group: CycleRaterGroup) -> list[str]:
        if group.source != CycleRaterGroup.Source.PANEL:
            return []
        # Read from the prefetched rows (CycleViewSet), in employee-number order, without a query of its own.
        return sorted(p.employee_number for p in group.panel.all())


class CycleSerializer(serializers.ModelSerializer):
    rater_groups = serializers.SerializerMethodField(help_text="The cycle's rater groups in page order.")

    class Meta:
        model = Cycle
        # The settings HR may change while a draft are exactly the ones the API shows beside the cycle's own.
        fields = [
            "id",
            "year",
            "framework",
            "status",
            *EDITABLE_SETTINGS,
            "rater_groups",
            "results_version",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = dict.fromkeys(
            (
                "excellent_quota_percent",
                "band_excellent",
                "band_competent",
                "band_basic",
                "quorum_percent",
            ),
            AS_JSON_NUMBER,
        )

    @extend_schema_field(RaterGroupSerializer(many=True))
    def get_rater_groups(self, cycle: Cycle) -> list[dict]:
        # Cycle.groups: prefetched once for a whole list (CycleViewSet), read once for a single cycle.
        return RaterGroupSerializer(selectors.rater_groups_of(cycle), many=True, context=self.context).data


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadershipTeam
        fields = ["id", "name"]


class OrgUnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name"]


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["employee_number", "name"]


class SubjectSerializer(serializers.ModelSerializer):
    """Who is assessed in the case, as the team stood when the cycle opened; `person` is null for the team."""

    person = PersonRefSerializer(allow_null=True)

    class Meta:
        model = CaseSubject
        fields = ["id", "kind", "person", "position", "is_principal", "order"]


class CaseSerializer(serializers.ModelSerializer):
    team = TeamRefSerializer()
    org_unit = OrgUnitRefSerializer(source="team.org_unit")
    raters = serializers.SerializerMethodField(
        read_only=True,
        help_text="The people HR named to rate this team (employee numbers), per code of the cycle's rater group "
        "whose raters are named per team. A panel's members are on the cycle's `rater_groups`.",
    )
    code_counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        read_only=True,
        help_text="How many one-time anonymous ballot codes the case has been given, per code of the cycle's "
        "anonymous rater group.",
    )
    anonymous_ballots = serializers.IntegerField(
        read_only=True, help_text="How many anonymous ballot codes the case has been given, over all its groups."
    )
    subjects = SubjectSerializer(many=True, help_text="Empty until the cycle opens and the team is snapshot.")

    class Meta:
        model = Case
        fields = [
            "id",
            "cycle",
            "status",
            "team",
            "org_unit",
            "raters",
            "code_counts",
            "anonymous_ballots",
            "subjects",
            "updated_at",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.ListField(child=serializers.CharField())))
    def get_raters(self, case: Case) -> dict[str, list[str]]:
        # From the prefetched rows (CaseViewSet), already in the cycle's order of groups.
        raters: dict[str, list[str]] = {}
        for rater in case.named_raters.all():
            raters.setdefault(rater.group.code, []).append(rater.person.employee_number)
        return raters


class TimelineEntrySerializer(serializers.Serializer):
    """A state change with its reason. Who acted and the event's details stay on the web desk."""

    action = serializers.CharField()
    label = serializers.CharField(source="action_label")
    case = serializers.IntegerField(source="case_id", allow_null=True, help_text="Null for the cycle's own events.")
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "timeline"]

    def get_timeline(self, case: Case) -> list[dict]:
        return TimelineEntrySerializer(selectors.timeline_for_case(case=case), many=True).data


class CycleTransitionSerializer(serializers.Serializer):
    # The API offers every transition of the desk but the rehearsal's purge, which hands out a new set of codes.
    action = serializers.ChoiceField(choices=[name for name in CYCLE_TRANSITIONS if name != "purge"])
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=2000, default="", help_text="Required to reopen."
    )

    def validate(self, data: dict) -> dict:
        # The service refuses too, but as a field error the client knows what to fix.
        if data["action"] == "reopen" and not data["reason"].strip():
            raise serializers.ValidationError({"reason": _("Give a reason for reopening the cycle.")})
        return data


class CaseTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(CASE_TRANSITIONS))
    reason = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")


class CaseCodesSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    codes = serializers.ListField(child=serializers.CharField())


class CycleTransitionResultSerializer(serializers.Serializer):
    cycle = CycleSerializer()
    codes = CaseCodesSerializer(
        many=True,
        help_text="After `open` only: each case's anonymous ballot codes in plain text. This is the only time "
        "they exist in plain text; print them as slips.",
    )


# --- Results -------------------------------------------------------------------------------------------------

VOTES_KEYS = ("excellent", "competent", "basic", "incompetent", "total", "shares")


class GroupResultSerializer(serializers.Serializer):
    group = serializers.CharField(
        help_text="The code of one of the cycle's rater groups (see the cycle's `rater_groups`)."
    )
    name = serializers.CharField(help_text="The group's name in the request's language.")
    counted = serializers.BooleanField(help_text="Whether the group counts in the weighted total.")
    n = serializers.IntegerField(help_text="Valid ballots of this group.")
    void = serializers.IntegerField(help_text="Void ballots of this group.")
    score = serializers.FloatField(allow_null=True, help_text="0–100.")
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="0–100.")


class VotesSerializer(serializers.Serializer):
    excellent = serializers.IntegerField()
    competent = serializers.IntegerField()
    basic = serializers.IntegerField()
    incompetent = serializers.IntegerField()
    total = serializers.IntegerField()
    shares = serializers.DictField(
        child=serializers.FloatField(), help_text="Percent per vote, and `excellent_or_competent`."
    )


class FlagsSerializer(serializers.Serializer):
    removal_review = serializers.BooleanField()
    warning_talk = serializers.BooleanField()


class ResultSerializer(serializers.Serializer):
    """A subject's result, k-suppressed for every viewer (HR included): a rater group below the cycle's k is
    never shown, and with fewer than k raters in all neither is anything else. Null means hidden or absent."""

    id = serializers.IntegerField()
    cycle = serializers.IntegerField()
    case = serializers.IntegerField()
    subject = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseSubject.Kind.choices)
    person = PersonRefSerializer(allow_null=True)
    position = serializers.CharField()
    is_principal = serializers.BooleanField()
    team = TeamRefSerializer()
    org_unit = OrgUnitRefSerializer()
    total = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, **AS_JSON_NUMBER, help_text="0–100."
    )
    grade = serializers.ChoiceField(choices=Grade.choices, allow_null=True)
    rank_in_team = serializers.IntegerField(allow_null=True)
    rank_in_cycle = serializers.IntegerField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="Weighted, 0–100.")
    groups = GroupResultSerializer(many=True, help_text="Only the rater groups that may be shown.")
    votes = VotesSerializer(allow_null=True)
    flags = FlagsSerializer(allow_null=True)
    suppressed_groups = serializers.BooleanField()
    suppressed_all = serializers.BooleanField()
    renormalised = serializers.BooleanField()
    weights_used = serializers.DictField(child=serializers.FloatField())
    ballots_valid = serializers.IntegerField()
    ballots_void = serializers.IntegerField()
    version = serializers.IntegerField()

    def _sees_self(self, subject: CaseSubject) -> bool:
        """A member's self-evaluation goes to that member and HR only: looked up once per request, in the
        context that a list's rows share."""
        seer = self.context.get("sees_self")
        if seer is None:
            request = self.context.get("request")
            seer = selectors.self_seer(viewer=request.user) if request else (lambda subject: False)
            self.context["sees_self"] = seer
        return seer(subject)

    def _groups_in_order(self, cycle: Cycle, codes) -> list[tuple[str, str]]:
        """The cycle's groups read once per request and cycle, in the context a list's rows share."""
        by_cycle = self.context.setdefault("rater_groups", {})
        if cycle.pk not in by_cycle:
            by_cycle[cycle.pk] = [(g.code, g.name) for g in selectors.rater_groups_of(cycle)]
        return [(c, n) for c, n in by_cycle[cycle.pk] if c in codes]

    def to_representation(self, instance: SubjectResult) -> dict:
        """Written out by hand: DRF's per-field machinery was half the time of a page of 100 (bench/api.py).
        The fields above are what the schema shows; a test holds the two to the same keys."""
        visible = selectors.subject_result_visible(result=instance, sees_self=self._sees_self(instance.subject))
        subject, team = instance.subject, instance.case.team
        person, unit = subject.person, team.org_unit
        votes = visible.votes
        return {
            "id": instance.pk,
            "cycle": instance.cycle_id,
            "case": instance.case_id,
            "subject": instance.subject_id,
            "kind": subject.kind,
            "person": {"employee_number": person.employee_number, "name": person.name} if person else None,
            "position": subject.position,
            "is_principal": subject.is_principal,
            "team": {"id": team.pk, "name": team.name},
            "org_unit": {"id": unit.pk, "code": unit.code, "name": unit.name},
            "total": visible.total,
            # Hidden and absent are null here, where the selector has "" and {}: one convention for every field.
            "grade": visible.grade or None,
            "rank_in_team": visible.rank_in_team,
            "rank_in_cycle": visible.rank_in_cycle,
            "dimensions": visible.dimensions,
            # In the cycle's order of groups, as the web pages list them.
            "groups": [
                {
                    "group": g,
                    "name": name,
                    "counted": bool(shown.get("counted")),
                    "n": shown["n"],
                    "void": shown["void"],
                    "score": shown["score"],
                    "dimensions": shown["dimensions"],
                }
                for g, name in self._groups_in_order(instance.cycle, visible.groups)
                if (shown := visible.groups.get(g))
            ],
            "votes": {key: votes[key] for key in VOTES_KEYS} if votes else None,
            "flags": visible.flags or None,
            "suppressed_groups": visible.suppressed_groups,
            "suppressed_all": visible.suppressed_all,
            "renormalised": visible.renormalised,
            "weights_used": visible.weights_used,
            "ballots_valid": visible.ballots_valid,
            "ballots_void": visible.ballots_void,
            "version": visible.version,
        }
