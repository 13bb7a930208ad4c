"""Report jobs over the API: ask for a report (or a bulk run), poll its status and progress, download it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.scopes import Scope
from core.api.viewsets import ReadOnlyViewSet

from .. import jobs, services
from ..models import ReportJob
from .filtersets import ReportJobFilterSet
from .serializers import ReportJobRequestSerializer, ReportJobSerializer


@extend_validation_errors(["required"], field_name="subject", actions=["create"], methods=["post"])
@extend_validation_errors(["required"], field_name="case", actions=["create"], methods=["post"])
@extend_validation_errors(["required"], field_name="cycle", actions=["create"], methods=["post"])
@extend_schema_view(
    list=extend_schema(summary="Report jobs, newest change last"),
    retrieve=extend_schema(summary="A report job: status, progress, checksum"),
)
class ReportJobViewSet(ReadOnlyViewSet):
    """HR's report jobs. A job is queued at once and made by a worker; poll it until `status` is `succeeded`
    (then `download_url` is set) or `failed` (with `error`). Subscribe to the `report.ready` webhook to be
    told instead."""

    read_scope = Scope.REPORTS_READ
    write_scope = Scope.REPORTS_READ  # asking for a report is part of reading reports: it changes no data
    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilterSet
    ordering_fields = ["updated_at", "id"]
    queryset = ReportJob.objects.none()

    def get_queryset(self):
        return jobs.visible_jobs(user=self.request.user)

    def get_object(self) -> ReportJob:
        if not str(self.kwargs["pk"]).isdigit():
            raise NotFound
        return super().get_object()

    @extend_schema(
        summary="Ask for a report, or for every report of a cycle or case (a bulk run ending in a ZIP)",
        request=ReportJobRequestSerializer,
        responses={202: ReportJobSerializer},
    )
    def create(self, request: Request) -> Response:
        payload = ReportJobRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            if data["kind"] == ReportJob.Kind.BULK:
                job = services.reports_bulk_request(actor=request.user, cycle=data.get("cycle"), case=data.get("case"))
            else:
                job = services.report_request(
                    actor=request.user,
                    kind=data["kind"],
                    cycle=data.get("cycle"),
                    case=data.get("case"),
                    subject=data.get("subject"),
                )
        except PermissionDenied as error:
            raise NotFound from error
        except ValidationError:
            raise
        return Response(ReportJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="The report's file: a PDF, or the ZIP of a bulk run",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF, as attachment."),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP, as attachment."),
        },
    )
    @action(detail=True, methods=["get"])
    def file(self, request: Request, pk: str) -> FileResponse:
        job = self.get_object()
        if job.status != ReportJob.Status.SUCCEEDED or not job.file or not default_storage.exists(job.file.name):
            raise NotFound("The file is not ready.")
        response = FileResponse(
            default_storage.open(job.file.name, "rb"), as_attachment=True, filename=services.download_name(job)
        )
        response["Content-Type"] = "application/zip" if job.kind == ReportJob.Kind.BULK else "application/pdf"
        return response

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        # A client asking for application/pdf must not get 406 from the file action.
        return super().perform_content_negotiation(request, force=True)
