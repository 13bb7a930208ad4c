"""Writes of integrations: issuing, using and revoking API keys."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api.scopes import Scope

from .models import ApiKey

KEY_PREFIX = "kp_"
# Updating last_used_at on every request would make every API call a write: once a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, name: str, owner, scopes: Iterable[str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret in plain text: the only time it exists."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise ValidationError(_("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(unknown)})
    if not scopes:
        raise ValidationError(_("Give the key at least one scope."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The expiry must be in the future."))
    if not (name or "").strip():
        raise ValidationError(_("Name the key after the system that will use it."))
    prefix = KEY_PREFIX + secrets.token_hex(4)
    raw = f"{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name.strip(), prefix=prefix, key_hash=key_hash(raw), scopes=scopes, owner=owner, expires_at=expires_at
    )
    return key, raw


def api_key_resolve(*, raw: str) -> ApiKey | None:
    """The active key for this secret, or None (unknown, revoked and expired keys alike)."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 128:
        return None
    key = ApiKey.objects.select_related("owner").filter(key_hash=key_hash(raw)).first()
    if key is None or not key.active or not key.owner.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
