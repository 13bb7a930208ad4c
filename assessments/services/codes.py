"""One-time anonymous ballot codes: 128 random bits, shown once, stored as SHA-256 only."""

import base64
import hashlib
import secrets

from django.db import transaction

from ..models import BallotCode, Case, Cycle, RaterGroup

CODE_BYTES = 16  # 128 bits: guessing one live code is hopeless even without throttling.


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")


@transaction.atomic
def codes_issue(*, case: Case, count: int, rater_group: str = RaterGroup.SUBORDINATE) -> list[str]:
    """Issue `count` fresh codes for a case and return them in plain text: the only time they exist."""
    codes = [_new_code() for _ in range(count)]
    BallotCode.objects.bulk_create(
        BallotCode(case=case, rater_group=rater_group, code_hash=code_hash(c)) for c in codes
    )
    return codes


def code_resolve(*, code: str) -> BallotCode | None:
    """The live code for this text, or None. Unknown, spent, revoked and closed-cycle codes all give None,
    so that callers answer them all the same way."""
    normalised = _normalise(code or "")
    if len(normalised) < 20 or len(normalised) > 64:
        return None
    return (
        BallotCode.objects.select_related("case__cycle")
        .filter(
            code_hash=code_hash(normalised),
            status__in=[BallotCode.Status.ISSUED, BallotCode.Status.DRAFT],
            case__cycle__status=Cycle.Status.OPEN,
        )
        .first()
    )
