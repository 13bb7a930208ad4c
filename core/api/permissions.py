"""Scope permissions for every /api/v1/ view: what the credential may do, and what its user may do."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ..roles import Actor, is_hr


def hr_only(user: Actor, scope: str) -> bool:
    return is_hr(user)


class HasScope(BasePermission):
    """The view names the scope each method needs (`read_scope`, `write_scope`). An API key must hold it;
    and the acting user (a key's owner, or a browser session) must have the matching web permission,
    which the view may define as `web_permission(user, scope)` (HR by default).

    The key is whatever the authentication put on `request.auth`: anything with `has_scope(scope)` is a
    scoped credential (integrations' ApiKey). Asking for the method rather than the model keeps core free
    of integrations, which sits above every app."""

    message = _("You do not have permission to do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        scope = scope_for(view, request.method)
        has_scope = getattr(request.auth, "has_scope", None)
        if has_scope is not None and not has_scope(scope):
            self.message = _("This API key lacks the scope %(scope)s.") % {"scope": scope}
            return False
        return getattr(view, "web_permission", hr_only)(request.user, scope)


def scope_for(view: Any, method: str) -> str:
    if method in ("GET", "HEAD", "OPTIONS"):
        return view.read_scope
    return getattr(view, "write_scope", None) or view.read_scope
