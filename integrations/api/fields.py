"""Moved to core.api.fields. api/plan_serializers.py (moving to followup/) still imports it from here;
delete this module once it imports core.api.fields."""

from core.api.fields import StrictBooleanField, StrictCharField, StrictEmailField, StrictURLField

__all__ = ["StrictBooleanField", "StrictCharField", "StrictEmailField", "StrictURLField"]
