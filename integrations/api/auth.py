"""API-key authentication and per-key throttling for every /api/v1/ view (settings name them). The scope
permission they serve is core.api.permissions.HasScope."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiKey
from ..services import api_key_resolve

__all__ = ["ApiKeyAuthentication", "ApiKeyScheme", "ApiKeyThrottle"]


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer kp_…`. The request acts as the key's owner; `request.auth` is the key."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        key = api_key_resolve(raw=raw)
        if key is None:
            # Unknown, revoked and expired keys get the same answer.
            raise exceptions.AuthenticationFailed(_("Invalid API key."))
        return key.owner, key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created in the admin: `Authorization: Bearer kp_…`.",
        }


class ApiKeyThrottle(SimpleRateThrottle):
    """One budget per key (or per user, for browser sessions), kept in the shared cache: every web process
    counts against the same numbers."""

    scope = "api"

    def get_rate(self) -> str:
        # DRF copies its rates into the class when it is imported, so an override made later (a test's live
        # server, a contract run) would never be seen: read the setting itself.
        return settings.KAOPING_API_RATE

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
