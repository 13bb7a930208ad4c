"""Org units, people, leadership teams and memberships under /api/v1/: list, retrieve, create, update, and
upsert in batches by natural key. Nothing is ever deleted: a syncing client sees people, units and teams
deactivated (`active=false`) and seats ended (`end_date`), never rows that silently vanish."""

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_serializers import ErrorResponse405Serializer
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.settings import api_settings

from core.api.scopes import Scope
from core.api.viewsets import ReadOnlyViewSet

from .. import selectors, services
from . import filtersets, serializers


class _Organisation(ReadOnlyViewSet):
    """What the four endpoints share; each subclass names its selector, service, serializer and filters."""

    read_scope = Scope.PEOPLE_READ
    write_scope = Scope.PEOPLE_WRITE
    visible: Callable[..., QuerySet]
    upsert_batch: Callable[..., services.BatchResult]

    def get_queryset(self) -> QuerySet:
        return type(self).visible(viewer=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self._upsert([serializer.validated_data], new_only=True)
        return Response(self._shown(result.ids[0]), status=201)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        serializer = self.get_serializer(row, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        key = {name: getattr(row, name) for name in serializer.key_fields}
        self._upsert([{**serializer.validated_data, **key}])
        return Response(self._shown(row.pk))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise MethodNotAllowed(request.method)

    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data, many=True, max_length=serializers.BATCH_MAX)
        if not serializer.is_valid():
            raise ValidationError(_by_index(serializer.errors))
        result = self._upsert(serializer.validated_data, batch=True)
        items = [{"id": pk, "action": action} for pk, action in zip(result.ids, result.actions, strict=True)]
        return Response(serializers.BatchResultSerializer({**result.counts, "items": items}).data)

    def _upsert(self, items: Sequence[dict], *, new_only: bool = False, batch: bool = False) -> services.BatchResult:
        try:
            return type(self).upsert_batch(items=items, new_only=new_only)
        except services.ItemErrors as exc:
            # A batch's errors are keyed by item index, as the serializer's own are ("3.parent_code");
            # a single row's are its fields'.
            errors = {index: _api_keys(fields) for index, fields in exc.errors.items()}
            raise ValidationError(
                {str(index): fields for index, fields in errors.items()} if batch else errors[0]
            ) from exc

    def _shown(self, pk: int) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=pk)).data


def _by_index(errors: dict | list) -> dict | list:
    # DRF keys a list's item errors by int index, and drf-standardized-errors drops a falsy prefix: item 0's
    # errors would read "name", not "0.name". Keys as text keep every index.
    return {str(key): value for key, value in errors.items()} if isinstance(errors, dict) else errors


def _api_keys(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name: messages
        for name, messages in errors.items()
    }


# Ids are integers; the lookup takes any segment only to answer a malformed one with the API's own 404.
_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _documented(noun: str, serializer: type[Serializer]) -> Callable[[type], type]:
    return extend_schema_view(
        retrieve=extend_schema(parameters=[_ID]),
        list=extend_schema(
            description=f"{noun.capitalize()}, oldest change first by default (`updated_at`, then `id`): "
            "a syncing client keeps the last `updated_at` it saw and asks again with `updated_since=`."
        ),
        create=extend_schema(description=f"Create one of the {noun}; its natural key must be new."),
        update=extend_schema(
            parameters=[_ID],
            description="Update a row, sending every required field; optional fields left out keep their values. "
            "Its natural key may be repeated, not changed.",
        ),
        partial_update=extend_schema(
            parameters=[_ID], description="Change some of a row's fields. Its natural key cannot change."
        ),
        destroy=extend_schema(
            parameters=[_ID],
            description="Always 405: rows are never deleted, so that a syncing client sees every removal. "
            "Deactivate people, units and teams (`active: false`); end memberships (`end_date`).",
            responses={405: ErrorResponse405Serializer},
        ),
        bulk=extend_schema(
            description=f"Create or update up to {serializers.BATCH_MAX} {noun} by natural key, all or none. "
            "Each item carries its natural key and the fields a new row needs; other fields it leaves out keep "
            "their values. Sending the same batch again changes nothing. "
            "A refused batch writes nothing and names each bad item by index (`attr`: `3.name`).",
            request=serializer(many=True),
            # drf-standardized-errors would describe an item's field as the literal "INDEX.name".
            responses={200: serializers.BatchResultSerializer, 400: serializers.BatchErrorResponseSerializer},
        ),
    )


@extend_schema(tags=["people"])
@_documented("org units", serializers.OrgUnitSerializer)
class OrgUnitViewSet(_Organisation):
    """Org units by `code`; `parent_code` is null for a root. A parent may come later in the same batch."""

    visible = staticmethod(selectors.org_units_visible)
    upsert_batch = staticmethod(services.org_units_upsert_batch)
    serializer_class = serializers.OrgUnitSerializer
    filterset_class = filtersets.OrgUnitFilterSet
    ordering_fields = ["updated_at", "id", "code"]


@extend_schema(tags=["people"])
@_documented("people", serializers.PersonSerializer)
class PersonViewSet(_Organisation):
    """People by `employee_number`, each in an org unit (`org_unit_code`)."""

    visible = staticmethod(selectors.people_visible)
    upsert_batch = staticmethod(services.people_upsert_batch)
    serializer_class = serializers.PersonSerializer
    filterset_class = filtersets.PersonFilterSet
    ordering_fields = ["updated_at", "id", "employee_number"]


@extend_schema(tags=["people"])
@_documented("leadership teams", serializers.TeamSerializer)
class TeamViewSet(_Organisation):
    """Leadership teams, one per org unit at most, by their unit's code (`org_unit_code`)."""

    visible = staticmethod(selectors.teams_visible)
    upsert_batch = staticmethod(services.teams_upsert_batch)
    serializer_class = serializers.TeamSerializer
    filterset_class = filtersets.TeamFilterSet
    ordering_fields = ["updated_at", "id"]


@extend_schema(tags=["people"])
@_documented("memberships", serializers.MembershipSerializer)
class MembershipViewSet(_Organisation):
    """Seats on teams by (`team_code`, `employee_number`, `start_date`); a seat without `end_date` is open,
    and a person has at most one open seat per team."""

    visible = staticmethod(selectors.memberships_visible)
    upsert_batch = staticmethod(services.memberships_upsert_batch)
    serializer_class = serializers.MembershipSerializer
    filterset_class = filtersets.MembershipFilterSet
    ordering_fields = ["updated_at", "id"]
