"""What the API shows of improvement plans: the plan, its actions and (on a plan's own page) their progress
updates with the evidence's checksums. Plans carry no rater data: no score, no ballot, no rater; and who
posted an update or acted on the plan stays on the web desk."""

from rest_framework import serializers

from assessments.api.serializers import OrgUnitRefSerializer, PersonRefSerializer, TeamRefSerializer
from assessments.models import CaseSubject, Indicator
from core.api.fields import StrictCharField
from people.models import Person

from ..models import Action, Evidence, ImprovementPlan, ProgressUpdate
from ..selectors import action_is_overdue, plan_progress
from ..services.plans import TEXT_LIMIT


class PlanPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "employee_number", "name"]
        read_only_fields = fields


class ActionIndicatorSerializer(serializers.ModelSerializer):
    """The indicator an action targets, by codes that stay the same across a framework's versions."""

    dimension = serializers.CharField(source="dimension.code", help_text="The dimension's code.")

    class Meta:
        model = Indicator
        fields = ["id", "code", "dimension"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    indicator = ActionIndicatorSerializer(allow_null=True, help_text="Null for an action aimed at no one indicator.")
    owner = PersonRefSerializer()
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="Percent, 0–100.")
    overdue = serializers.SerializerMethodField(
        help_text="Past its due day and not done, while the plan is under way (approved or in progress)."
    )
    overdue_since = serializers.DateField(
        allow_null=True, help_text="The first day the daily check found it overdue (Asia/Shanghai)."
    )
    updates_count = serializers.IntegerField(help_text="Progress updates posted on it.")

    class Meta:
        model = Action
        fields = [
            "id",
            "indicator",
            "title",
            "description",
            "owner",
            "due_on",
            "status",
            "progress",
            "overdue",
            "overdue_since",
            "completed_on",
            "updates_count",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, action: Action) -> bool:
        return action_is_overdue(action, today=self.context.get("today"))


class EvidenceSerializer(serializers.ModelSerializer):
    size = serializers.IntegerField(min_value=0, help_text="Bytes.")
    sha256 = serializers.CharField(help_text="The file's SHA-256, hex.")

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "created_at"]
        read_only_fields = fields


class ProgressUpdateSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text="The action's progress it reported.")
    evidence = EvidenceSerializer(many=True, help_text="The files' names and checksums; the files stay on the web.")

    class Meta:
        model = ProgressUpdate
        fields = ["id", "note", "progress", "created_at", "evidence"]
        read_only_fields = fields


class ActionDetailSerializer(ActionSerializer):
    updates = ProgressUpdateSerializer(many=True, help_text="Oldest first.")

    class Meta(ActionSerializer.Meta):
        fields = [*ActionSerializer.Meta.fields, "updates"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    """A plan of one case subject: a leader in one cycle, or the team as a whole (`person` null)."""

    subject = serializers.IntegerField(source="subject_id", help_text="The case subject the plan is for.")
    case = serializers.IntegerField(source="subject.case_id")
    cycle = serializers.IntegerField(source="subject.case.cycle_id")
    kind = serializers.ChoiceField(source="subject.kind", choices=CaseSubject.Kind.choices)
    person = PlanPersonSerializer(source="subject.person", allow_null=True, help_text="Null for the team's plan.")
    team = TeamRefSerializer(source="subject.case.team")
    org_unit = OrgUnitRefSerializer(source="subject.case.team.org_unit")
    progress = serializers.SerializerMethodField(help_text="Percent, 0–100: the mean of the actions' progress.")
    overdue = serializers.SerializerMethodField(help_text="Any of its actions overdue.")
    actions = ActionSerializer(many=True)

    class Meta:
        model = ImprovementPlan
        fields = [
            "id",
            "subject",
            "case",
            "cycle",
            "kind",
            "person",
            "team",
            "org_unit",
            "status",
            "goal",
            "return_reason",
            "verification_note",
            "progress",
            "overdue",
            "created_at",
            "submitted_at",
            "approved_at",
            "completed_at",
            "verified_at",
            "updated_at",
            "actions",
        ]
        read_only_fields = fields

    def get_progress(self, plan: ImprovementPlan) -> int:
        return plan_progress(plan)

    def get_overdue(self, plan: ImprovementPlan) -> bool:
        today = self.context.get("today")
        return any(action_is_overdue(action, today=today) for action in plan.actions.all())


class PlanDetailSerializer(PlanSerializer):
    actions = ActionDetailSerializer(many=True)


class PlanReturnSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=TEXT_LIMIT, help_text="Why the plan goes back; its author reads it.")


class PlanVerifySerializer(serializers.Serializer):
    note = StrictCharField(
        max_length=TEXT_LIMIT, required=False, allow_blank=True, default="", help_text="What HR checked."
    )
