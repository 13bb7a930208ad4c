"""Webhook subscriptions and their delivery log. The signing secret appears in the create response only."""

from django.core.validators import MinLengthValidator
from rest_framework import serializers

from core.api.fields import StrictBooleanField, StrictCharField, StrictURLField

from ..models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ("id", "url", "events", "description", "active", "created_by", "created_at", "updated_at")
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The Standard Webhooks signing secret (`whsec_…`): returned this once, never again."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = (*WebhookEndpointSerializer.Meta.fields, "secret")
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    """What a client may set; the services check the URL (http(s), public address) and the events."""

    url = StrictURLField(max_length=500)
    # A set of choices: one error for the field, not one per list item (the error schema names fields only),
    # and minItems in the schema.
    events = serializers.MultipleChoiceField(
        choices=WebhookEvent.choices, allow_empty=False, validators=[MinLengthValidator(1)]
    )
    description = StrictCharField(max_length=200, required=False, allow_blank=True)
    active = StrictBooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "msg_id",
            "event_type",
            "payload",
            "status",
            "attempts",
            "max_attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "last_response",
            "created_at",
            "delivered_at",
        )
        read_only_fields = fields
