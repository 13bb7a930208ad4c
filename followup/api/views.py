"""The plans API: improvement plans to read, each caller seeing exactly the plans the web shows them, and
HR's transitions (approve, return with a reason, verify), each running the same service as HR's desk."""

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from core.api.permissions import hr_only
from core.api.scopes import Scope
from core.api.viewsets import ReadOnlyViewSet

from ..models import Action, Evidence, ImprovementPlan, ProgressUpdate
from ..selectors import plans_visible_to
from ..services.transitions import plan_transition_apply
from .filtersets import PlanFilterSet
from .serializers import PlanDetailSerializer, PlanReturnSerializer, PlanSerializer, PlanVerifySerializer

TRANSITIONS = ["approve", "return_", "verify"]


def reader_or_hr(user, scope: str) -> bool:
    """Reading: anyone signed in, and the queryset holds only the plans they may see (HR all, a leader their
    own, a team's principal the team's). Transitions: HR only."""
    if scope == Scope.PLANS_READ:
        return bool(user and user.is_authenticated)
    return hr_only(user, scope)


# A transition the plan's state refuses is a 400 with the service's reason, as on cycles and cases.
@extend_validation_errors(["invalid"], field_name="non_field_errors", actions=TRANSITIONS, methods=["post"])
@extend_schema_view(
    list=extend_schema(summary="Improvement plans, each with its actions"),
    retrieve=extend_schema(summary="An improvement plan with its actions, progress updates and evidence"),
)
class PlanViewSet(ReadOnlyViewSet):
    """Improvement plans (提升/整改计划): one per case subject, drafted by the leader (the team's by its
    principal), approved and verified by HR. No rater data of any kind."""

    read_scope = Scope.PLANS_READ
    write_scope = Scope.PLANS_WRITE
    web_permission = staticmethod(reader_or_hr)
    filterset_class = PlanFilterSet
    ordering_fields = ["updated_at", "id"]
    queryset = ImprovementPlan.objects.none()  # for the schema; get_queryset builds the real one

    def get_serializer_class(self) -> type[PlanSerializer]:
        return PlanSerializer if self.action == "list" else PlanDetailSerializer

    def get_serializer_context(self) -> dict:
        # One day for every row: a request around midnight must not call a plan on time and its action overdue.
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[ImprovementPlan]:
        actions = (
            Action.objects.select_related("indicator__dimension", "owner")
            .annotate(updates_count=Count("updates"))
            .order_by("order", "id")
        )
        if self.action != "list":
            evidence = Prefetch("evidence", Evidence.objects.order_by("id"))
            updates = ProgressUpdate.objects.order_by("created_at", "id").prefetch_related(evidence)
            actions = actions.prefetch_related(Prefetch("updates", updates))
        return (
            plans_visible_to(user=self.request.user)
            .select_related("subject__person", "subject__case__team__org_unit")
            .prefetch_related(Prefetch("actions", actions))
        )

    def _transition(self, request: Request, name: str, payload: type[Serializer] | None = None) -> Response:
        """The plan pages' transition table (services/transitions.py), after the payload's fields are checked."""
        plan = self.get_object()
        text = ""
        if payload is not None:
            checked = payload(data=request.data)
            checked.is_valid(raise_exception=True)
            text = next(iter(checked.validated_data.values()), "")
        plan_transition_apply(plan=plan, name=name, actor=request.user, reason=text)
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(
        summary="Approve a submitted plan",
        description="The first approved plan of a case takes the case from its feedback talks into improving. "
        "A plan that is not submitted, or whose case is closed, is a 400 with the reason; nothing changes.",
        request=None,
        responses={200: PlanDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._transition(request, "approve")

    @extend_schema(
        summary="Return a submitted or completed plan to its author, with the reason",
        description="A plan in any other state is a 400 with the reason; nothing changes.",
        request=PlanReturnSerializer,
        responses={200: PlanDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        return self._transition(request, "return", PlanReturnSerializer)

    @extend_schema(
        summary="Verify a completed plan, with an optional note",
        description="A plan that is not completed is a 400 with the reason; nothing changes.",
        request=PlanVerifySerializer,
        responses={200: PlanDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        return self._transition(request, "verify", PlanVerifySerializer)
