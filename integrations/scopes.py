"""Moved to core.api.scopes. api/plan_views.py (moving to followup/) still imports it from here; delete this
module once it imports core.api.scopes."""

from core.api.scopes import Scope

__all__ = ["Scope"]
