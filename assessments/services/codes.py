"""One-time anonymous ballot codes: 128 random bits, shown once, stored as SHA-256 only."""

from django.db import transaction
from django.utils.translation import gettext as _

from ..codes import code_hash, new_code, normalise
from ..errors import AssessmentError, InvalidTransition
from ..models import BallotCode, Case, Cycle, CycleRaterGroup
from .timeline import event_write


@transaction.atomic
def codes_issue(*, case: Case, count: int, rater_group: str) -> list[str]:
    """Issue `count` fresh codes for a case and return them in plain text: the only time they exist."""
    codes = [new_code() for _ in range(count)]
    BallotCode.objects.bulk_create(
        BallotCode(case=case, rater_group=rater_group, code_hash=code_hash(c)) for c in codes
    )
    return codes


def code_resolve(*, code: str) -> BallotCode | None:
    """The live code for this text, or None. Unknown, spent, revoked and closed-cycle codes all give None,
    so that callers answer them all the same way."""
    normalised = normalise(code or "")
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


MAX_CODES_AT_ONCE = 2000


def _open_case(case: Case, verb: str) -> Case:
    locked = Case.objects.select_for_update().select_related("cycle", "team").get(pk=case.pk)
    if locked.cycle.status != Cycle.Status.OPEN:
        raise InvalidTransition(
            _("Cannot %(verb)s: the cycle “%(cycle)s” is not open.") % {"verb": verb, "cycle": locked.cycle.name}
        )
    return locked


@transaction.atomic
def codes_add(*, case: Case, count: int, rater_group: str | None = None, actor=None) -> list[str]:
    """More codes for an open case (more people at the meeting than planned), for one of its anonymous groups (the
    first when not named). Plain text returned once."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CODES_AT_ONCE:
        raise AssessmentError(_("Issue between 1 and %(max)d codes at once.") % {"max": MAX_CODES_AT_ONCE})
    case = _open_case(case, _("issue more codes"))
    anonymous = [g.code for g in case.cycle.groups if g.source == CycleRaterGroup.Source.CODES]
    group = rater_group or (anonymous[0] if anonymous else None)
    if group not in anonymous:
        raise AssessmentError(_("The cycle has no anonymous group “%(code)s”.") % {"code": group or ""})
    codes = codes_issue(case=case, count=count, rater_group=group)
    case.code_counts = {**case.code_counts, group: case.code_counts.get(group, 0) + count}
    case.save(update_fields=["code_counts", "updated_at"])
    event_write(cycle=case.cycle, case=case, actor=actor, action="codes_issued", data={"count": count, "group": group})
    return codes


@transaction.atomic
def codes_replace_unused(*, case: Case, actor=None) -> list[str]:
    """Revoke every code nobody has opened yet and issue as many new ones: for slips that were lost
    or never printed. Codes with a draft or a ballot are kept, so nothing anyone entered is lost."""
    case = _open_case(case, _("replace the unused codes"))
    # Lock the unused codes themselves: a sheet being opened at this moment holds its code's row, and once it
    # commits that code is no longer unused. Only the codes locked here are revoked and replaced, one for one.
    unused = list(
        BallotCode.objects.select_for_update(of=("self",))
        .filter(case=case, status=BallotCode.Status.ISSUED)
        .order_by("pk")
        .values_list("pk", "rater_group")
    )
    groups = [group for _pk, group in unused]
    if not groups:
        raise AssessmentError(_("Every code of this case has been used; issue more codes instead."))
    BallotCode.objects.filter(pk__in=[pk for pk, _group in unused]).update(status=BallotCode.Status.REVOKED)
    codes = []
    for group in sorted(set(groups)):
        codes += codes_issue(case=case, count=groups.count(group), rater_group=group)
    event_write(cycle=case.cycle, case=case, actor=actor, action="codes_replaced", data={"count": len(codes)})
    return codes
