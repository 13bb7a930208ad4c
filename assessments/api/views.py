"""The assessments API: frameworks, cycles and cases to read, HR's transitions, and results (aggregates only,
always through the k-suppressing selectors) to read and export."""

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import CursorById
from core.api.permissions import HasScope
from core.api.scopes import Scope
from core.api.viewsets import ReadOnlyViewSet
from people.models import Person

from .. import selectors
from ..models import (
    Case,
    CaseRater,
    CaseSubject,
    Cycle,
    CycleRaterGroup,
    Dimension,
    Framework,
    Indicator,
    SubjectResult,
)
from ..services.transitions import case_transition_apply, cycle_transition_apply
from . import exports
from .filtersets import CaseFilterSet, CycleFilterSet, FrameworkFilterSet, ResultFilterSet
from .serializers import (
    CaseDetailSerializer,
    CaseSerializer,
    CaseTransitionSerializer,
    CycleSerializer,
    CycleTransitionResultSerializer,
    CycleTransitionSerializer,
    FrameworkSerializer,
    ResultSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Frameworks, each with its dimensions and indicators"),
    retrieve=extend_schema(summary="A framework with its dimensions and indicators"),
)
class FrameworkViewSet(ReadOnlyViewSet):
    """What is assessed: dimensions and indicators with rubrics in Chinese and English, versioned."""

    read_scope = Scope.CYCLES_READ
    serializer_class = FrameworkSerializer
    filterset_class = FrameworkFilterSet
    ordering_fields = ["id", "code"]
    pagination_class = CursorById  # a framework has no updated_at: a new version is a new row
    queryset = Framework.objects.prefetch_related(
        Prefetch(
            "dimensions",
            Dimension.objects.order_by("order", "id").prefetch_related(
                Prefetch("indicators", Indicator.objects.order_by("order", "id"))
            ),
        )
    )


def groups_prefetch(path: str = "rater_groups", *, panel: bool = False) -> Prefetch:
    """The rater groups of the cycles at `path`, in page order, read for every cycle of a page at once (one query
    however many cycles) into the list that `Cycle.groups` reads; with `panel`, each panel group's members too
    (one query more)."""
    groups = CycleRaterGroup.objects.order_by("order", "id")
    if panel:
        groups = groups.prefetch_related(
            Prefetch("panel", Person.objects.only("pk", "employee_number").order_by("employee_number"))
        )
    return Prefetch(path, groups, to_attr="_groups_cache")


@extend_schema_view(
    list=extend_schema(summary="Cycles, with their settings and rater groups"),
    retrieve=extend_schema(summary="A cycle with its settings and rater groups"),
)
class CycleViewSet(ReadOnlyViewSet):
    read_scope = Scope.CYCLES_READ
    write_scope = Scope.CYCLES_WRITE
    serializer_class = CycleSerializer
    filterset_class = CycleFilterSet
    ordering_fields = ["updated_at", "id", "year"]
    queryset = Cycle.objects.prefetch_related(groups_prefetch(panel=True))

    @extend_schema(
        summary="Move the cycle on: open, close, score, release, reopen (with a reason) or archive",
        description="Each action runs the same service as HR's desk. A refused transition is a 400 with the "
        "reason. `score` runs on a worker: the answer is 202 and the cycle turns `scored` when it is done. "
        "`open` answers, once, with the plain-text anonymous ballot codes.",
        request=CycleTransitionSerializer,
        responses={200: CycleTransitionResultSerializer, 202: CycleTransitionResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str) -> Response:
        cycle = self.get_object()
        payload = CycleTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        transition, outcome = cycle_transition_apply(
            cycle=cycle,
            name=payload.validated_data["action"],
            actor=request.user,
            reason=payload.validated_data["reason"],
        )
        codes = outcome if transition.issues_codes else {}
        cycle.refresh_from_db()
        body = CycleTransitionResultSerializer(
            {"cycle": cycle, "codes": [{"case": case, "codes": plain} for case, plain in codes.items()]}
        ).data
        response = Response(body, status=status.HTTP_202_ACCEPTED if transition.queued else status.HTTP_200_OK)
        if codes:
            response["Cache-Control"] = "no-store"  # the codes must not linger in a proxy or client cache
        return response


@extend_schema_view(
    list=extend_schema(summary="Cases: one leadership team assessed in one cycle"),
    retrieve=extend_schema(summary="A case with its subjects and timeline"),
)
class CaseViewSet(ReadOnlyViewSet):
    read_scope = Scope.CYCLES_READ
    write_scope = Scope.CYCLES_WRITE
    filterset_class = CaseFilterSet
    ordering_fields = ["updated_at", "id"]
    queryset = Case.objects.select_related("team__org_unit").prefetch_related(
        Prefetch("subjects", CaseSubject.objects.select_related("person").order_by("order", "id")),
        Prefetch(
            "named_raters",
            CaseRater.objects.select_related("group", "person").order_by(
                "group__order", "group_id", "person__employee_number"
            ),
        ),
    )

    def get_serializer_class(self) -> type[CaseSerializer]:
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    @extend_schema(
        summary="Move the case on: start improving (after the feedback talks) or close",
        request=CaseTransitionSerializer,
        responses={200: CaseDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request: Request, pk: str) -> Response:
        case = self.get_object()
        payload = CaseTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case_transition_apply(
            case=case,
            name=payload.validated_data["action"],
            actor=request.user,
            reason=payload.validated_data["reason"],
        )
        return Response(CaseDetailSerializer(self.get_queryset().get(pk=case.pk)).data)


def signed_in(user, scope: str) -> bool:
    """Any signed-in user may ask for results; the queryset holds only those the selectors let them see."""
    return bool(user and user.is_authenticated)


@extend_schema_view(
    list=extend_schema(summary="Results per subject (aggregates only, k-suppressed)"),
    retrieve=extend_schema(summary="One subject's result (aggregates only, k-suppressed)"),
)
class ResultViewSet(ReadOnlyViewSet):
    """HR (and keys acting for HR) see every computed result; a leader signed in on the web sees their own once
    released, a team's principal the team's. Every viewer sees the same suppressed figures."""

    read_scope = Scope.RESULTS_READ
    web_permission = staticmethod(signed_in)
    serializer_class = ResultSerializer
    filterset_class = ResultFilterSet
    # Never by total, grade or rank: the order (and the cursor, which carries the value) would reveal hidden ones.
    ordering_fields = ["id"]
    pagination_class = CursorById  # results are replaced as a whole by each scoring run, never changed
    queryset = SubjectResult.objects.none()  # for the schema; get_queryset builds the real one

    def get_queryset(self) -> QuerySet[SubjectResult]:
        return (
            selectors.subject_results_visible_to(viewer=self.request.user)
            .select_related("subject__person")
            # A page holds a dozen teams and one or two cycles: each loaded once and shared by its rows, rather
            # than copied into each. Fewer objects per request also means fewer full garbage collections, which
            # were the slowest requests (bench/api.py).
            .prefetch_related("cycle", groups_prefetch("cycle__rater_groups"), "case__team__org_unit")
            .defer("cells")
        )


class _CycleResultsExport(APIView):
    """Results of a cycle as a file: one row per subject × dimension × rater group, k-suppressed."""

    permission_classes = [HasScope]
    read_scope = Scope.RESULTS_READ
    file_format = ""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple:
        # A client asking for text/csv or a spreadsheet must not get 406: the file bypasses the renderers, and
        # errors still go out as JSON.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request: Request, pk: str) -> HttpResponseBase:
        # DRF's get_object_or_404: an id that is no number is a 404 as well.
        cycle = get_object_or_404(Cycle.objects.select_related("framework"), pk=pk)
        return exports.results_response(cycle=cycle, viewer=request.user, file_format=self.file_format)


def _file(media_type: str, what: str, operation_id: str, how: str):
    """The schema of a file download: its own media type, a binary body."""
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            summary=f"Results of a cycle as {what}",
            description="One row per subject × dimension × rater group of the cycle (see its `rater_groups`), "
            "k-suppressed like every other view of results; the headers in the request's language (Chinese unless "
            f"asked otherwise). Text that a spreadsheet would run as a formula starts with a quote. {how}",
            responses={
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=f"The {what} file, as attachment.")
            },
        )
    )


@_file(exports.CSV, "CSV (UTF-8 with BOM)", "cycles_results_csv", "Streamed while it is read: any size of cycle.")
class CycleResultsCsv(_CycleResultsExport):
    file_format = "csv"


@_file(
    exports.XLSX,
    "an Excel workbook",
    "cycles_results_xlsx",
    "Written to a temporary file, then streamed; a group company's cycle takes about a minute.",
)
class CycleResultsXlsx(_CycleResultsExport):
    file_format = "xlsx"
