from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import Cursor, CursorById
from core.api.permissions import HasScope
from core.api.scopes import Scope

from ..models import ApiKey, WebhookDelivery, WebhookEndpoint
from ..webhooks import webhook_endpoint_create, webhook_endpoint_update
from .serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWriteSerializer,
)


class WhoAmISerializer(serializers.Serializer):
    username = serializers.CharField()
    key_name = serializers.CharField(allow_null=True)
    key_prefix = serializers.CharField(allow_null=True)
    scopes = serializers.ListField(child=serializers.CharField(), allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)


class WhoAmI(APIView):
    """Who the API takes the caller for: the key (name, prefix, scopes, expiry) or the browser session."""

    @extend_schema(responses=WhoAmISerializer, operation_id="whoami")
    def get(self, request: Request) -> Response:
        key = request.auth if isinstance(request.auth, ApiKey) else None
        return Response(
            WhoAmISerializer(
                {
                    "username": request.user.get_username(),
                    "key_name": key.name if key else None,
                    "key_prefix": key.prefix if key else None,
                    "scopes": key.scopes if key else None,
                    "expires_at": key.expires_at if key else None,
                }
            ).data
        )


class WebhookEndpointViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Webhook subscriptions. There is no delete: deactivate (`"active": false`) and the delivery log stays.
    HR sees every endpoint, whoever created it: they are the organisation's, not a person's."""

    permission_classes = [HasScope]
    read_scope = write_scope = Scope.WEBHOOKS
    queryset = WebhookEndpoint.objects.select_related("created_by")
    serializer_class = WebhookEndpointSerializer
    pagination_class = Cursor
    # Any id segment reaches the view, so `/webhooks/x/` is a 404 in the API's error shape, not Django's page.
    lookup_value_regex = "[^/]+"

    @extend_schema(request=WebhookEndpointWriteSerializer, responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request: Request) -> Response:
        data = self._valid(request, partial=False)
        endpoint = webhook_endpoint_create(created_by=request.user, **data)
        response = Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"  # the secret is in it
        return response

    @extend_schema(request=WebhookEndpointWriteSerializer, responses=WebhookEndpointSerializer)
    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    @extend_schema(request=WebhookEndpointWriteSerializer, responses=WebhookEndpointSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _valid(self, request: Request, *, partial: bool) -> dict:
        serializer = WebhookEndpointWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _update(self, request: Request, *, partial: bool) -> Response:
        endpoint = self.get_object()
        endpoint = webhook_endpoint_update(endpoint=endpoint, **self._valid(request, partial=partial))
        endpoint = self.get_queryset().get(pk=endpoint.pk)
        return Response(WebhookEndpointSerializer(endpoint).data)


class WebhookDeliveryList(generics.ListAPIView):
    """The delivery log of one endpoint, oldest first (cursor pagination), with the latest attempt's outcome."""

    permission_classes = [HasScope]
    read_scope = Scope.WEBHOOKS
    serializer_class = WebhookDeliverySerializer
    pagination_class = CursorById
    filterset_fields = ("status", "event_type")
    queryset = WebhookDelivery.objects.none()  # the model, for the schema; get_queryset gives the rows

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        # DRF's get_object_or_404: an id that is no number (`/webhooks/x/deliveries/`) is a 404 as well.
        endpoint = get_object_or_404(WebhookEndpoint, pk=self.kwargs["pk"])
        return WebhookDelivery.objects.filter(endpoint=endpoint)
