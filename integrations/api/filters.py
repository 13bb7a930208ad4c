"""Moved to core.api.filters. api/plan_filtersets.py (moving to followup/) still imports it from here;
delete this module once it imports core.api.filters."""

from core.api.filters import IntegerFilter, UpdatedSinceFilterSet, UtcDateTimeFilter

__all__ = ["IntegerFilter", "UpdatedSinceFilterSet", "UtcDateTimeFilter"]
