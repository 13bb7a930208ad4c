from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from assessments.models import Case, CaseSubject, Cycle

from ..models import ReportJob


class ReportJobSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True, help_text="Per cent of the reports done (0–100).")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "cycle",
            "case",
            "subject",
            "parent",
            "status",
            "progress",
            "total",
            "done",
            "failed",
            "attempts",
            "max_attempts",
            "sha256",
            "page_count",
            "error",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != ReportJob.Status.SUCCEEDED or not job.file:
            return None
        path = f"/api/v1/report-jobs/{job.pk}/file/"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportJobRequestSerializer(serializers.Serializer):
    """What to make. `member` needs `subject`; `team` needs `case`; `cycle` needs `cycle`; `bulk` (every member
    and team report, then a ZIP) needs `cycle` or `case`."""

    # Slips are asked for only where their codes are shown, once: not over the API.
    kind = serializers.ChoiceField(choices=[c for c in ReportJob.Kind.choices if c[0] != ReportJob.Kind.SLIPS])
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all(), required=False)
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all(), required=False)
    subject = serializers.PrimaryKeyRelatedField(
        queryset=CaseSubject.objects.filter(kind=CaseSubject.Kind.MEMBER), required=False
    )

    def validate(self, attrs: dict) -> dict:
        kind = attrs["kind"]
        need = {"member": "subject", "team": "case", "cycle": "cycle"}.get(kind)
        if need and need not in attrs:
            raise serializers.ValidationError(
                {need: [ErrorDetail("This field is required for this kind of report.", code="required")]}
            )
        if kind == ReportJob.Kind.BULK and "cycle" not in attrs and "case" not in attrs:
            raise serializers.ValidationError(
                {"cycle": [ErrorDetail("Name the cycle or the case to report on.", code="required")]}
            )
        return attrs
