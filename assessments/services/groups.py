"""Changing a draft cycle's rater groups, its panel and a case's named raters. Once the cycle opens they are fixed:
every ballot must be counted under the rules it was cast under."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from people.models import Person

from ..errors import AssessmentError
from ..models import Case, CaseRater, Cycle, CycleRaterGroup
from ..presets import PRESETS
from .timeline import event_write

GROUP_FIELDS = ("code", "name_zh", "name_en", "source", "weight", "counted", "min_size", "order")
MAX_GROUPS = 12


def group_row(group: CycleRaterGroup) -> dict[str, Any]:
    """A group as `rater_groups_set` takes it back: what a form starts from and an API client sends."""
    return {"id": group.pk, **{name: getattr(group, name) for name in GROUP_FIELDS}}


def weights_problem(groups: Iterable[Any]) -> str:
    """Why a set of groups cannot be a cycle's (the message to show), or "" when it can. Each group is a
    CycleRaterGroup or anything with its fields as attributes."""
    groups = list(groups)
    if not any(g.counted for g in groups):
        return _("At least one rater group must count in the total.")
    total = sum((Decimal(g.weight or 0) for g in groups if g.counted), Decimal(0))
    if total != Decimal(100):
        return _("The weights of the groups that count in the total must add up to 100%% (now %(total)s%%).") % {
            "total": f"{total.normalize():f}"
        }
    codes = [g.code for g in groups]
    if len(set(codes)) != len(codes):
        return _("Each rater group needs its own code.")
    if sum(1 for g in groups if g.source == CycleRaterGroup.Source.SELF) > 1:
        return _("A cycle has at most one self-evaluation group.")
    if sum(1 for g in groups if g.source == CycleRaterGroup.Source.MEMBERS) > 1:
        return _("A cycle has at most one group of team members rating one another.")
    return ""


def _draft(cycle: Cycle) -> Cycle:
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status != Cycle.Status.DRAFT:
        raise AssessmentError(_("The rater groups are fixed once the cycle opens."))
    return locked


def preset_apply(*, cycle: Cycle, preset: str) -> list[CycleRaterGroup]:
    """Give a new cycle the groups of a preset (services.cycles.cycle_create calls this)."""
    if preset not in PRESETS:
        raise AssessmentError(_("Unknown rater-group preset “%(preset)s”.") % {"preset": preset})
    groups = [CycleRaterGroup(cycle=cycle, order=i, **spec.__dict__) for i, spec in enumerate(PRESETS[preset], start=1)]
    cycle._groups_cache = CycleRaterGroup.objects.bulk_create(groups)
    return cycle._groups_cache


def _clean_row(cycle: Cycle, row: Mapping[str, Any], existing: dict[int, CycleRaterGroup]) -> CycleRaterGroup:
    unknown = set(row) - {*GROUP_FIELDS, "id"}
    if unknown:
        raise AssessmentError(_("Unknown rater-group fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    pk = row.get("id")
    if pk is not None:
        if pk not in existing:
            raise AssessmentError(_("This cycle has no rater group %(id)s.") % {"id": pk})
        group = existing[pk]
    else:
        group = CycleRaterGroup(cycle=cycle)
    for name in GROUP_FIELDS:
        if name in row:
            setattr(group, name, row[name])
    try:
        group.weight = Decimal(str(group.weight if group.weight is not None else 0))
    except InvalidOperation:
        raise AssessmentError({"weight": [_("Enter a number.")]}) from None
    try:
        group.full_clean(exclude=["cycle"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise AssessmentError(error.message_dict) from None
    return group


@transaction.atomic
def rater_groups_set(*, cycle: Cycle, groups: list[Mapping[str, Any]], actor=None) -> list[CycleRaterGroup]:
    """Replace a draft cycle's groups as a whole: rows with an `id` change that group, rows without one add a group,
    and groups left out are removed (with their named raters). All or nothing."""
    cycle = _draft(cycle)
    if not isinstance(groups, list) or not groups or len(groups) > MAX_GROUPS:
        raise AssessmentError(_("Give between 1 and %(n)s rater groups.") % {"n": MAX_GROUPS})
    if not all(isinstance(row, Mapping) for row in groups):
        raise AssessmentError(_("Each rater group is an object with its fields."))
    existing = {g.pk: g for g in cycle.rater_groups.all()}
    before = {pk: {f: getattr(g, f) for f in GROUP_FIELDS} for pk, g in existing.items()}
    # A row that gives no order keeps its place in the list: a group added at the end is listed last.
    groups = [row if "order" in row else {**row, "order": i} for i, row in enumerate(groups, start=1)]
    cleaned = [_clean_row(cycle, row, existing) for row in groups]
    if len({g.pk for g in cleaned if g.pk}) != sum(1 for g in cleaned if g.pk):
        raise AssessmentError(_("Each rater group appears once."))
    problem = weights_problem(cleaned)
    if problem:
        raise AssessmentError(problem)
    kept = {g.pk for g in cleaned if g.pk}
    removed = [g for pk, g in existing.items() if pk not in kept]
    changed = [g.code for g in removed]
    CycleRaterGroup.objects.filter(pk__in=[g.pk for g in removed]).delete()
    # Codes and kinds may swap between rows (one group's code or its "members" source passed to another): park the
    # changed rows on values no rule minds before the unique indexes see the new ones.
    for group in cleaned:
        if group.pk and any(before[group.pk][f] != getattr(group, f) for f in ("code", "source")):
            CycleRaterGroup.objects.filter(pk=group.pk).update(
                code=f"~{group.pk}", source=CycleRaterGroup.Source.NAMED, counted=False, weight=0
            )
    for group in cleaned:
        if group.pk is None or any(before[group.pk][f] != getattr(group, f) for f in GROUP_FIELDS):
            changed.append(group.code)
        group.save()
    if changed:
        # The groups as they now stand, on the timeline: the cycle's history shows every weighting it had.
        weights = {g.code: f"{g.weight.normalize():f}" for g in cleaned}
        event_write(cycle=cycle, actor=actor, action="updated", data={"fields": ["rater_groups"], "groups": weights})
    cycle._groups_cache = None
    return list(cycle.rater_groups.order_by("order", "id"))


@transaction.atomic
def panel_set(*, group: CycleRaterGroup, people: Iterable[Person], actor=None) -> CycleRaterGroup:
    """Name the people of a panel group (考核组): at opening each rates every team of the cycle they are not in."""
    _draft(group.cycle)
    if group.source != CycleRaterGroup.Source.PANEL:
        raise AssessmentError(_("Only a panel group has panel members."))
    group.panel.set(list(people))
    event_write(cycle=group.cycle, actor=actor, action="updated", data={"fields": ["panel"], "group": group.code})
    return group


def case_raters_validate(
    *, cycle: Cycle, raters: Mapping[str, Iterable[Person]], codes: Mapping[str, Any]
) -> tuple[dict[CycleRaterGroup, list[Person]], dict[str, int]]:
    """Check a case's named raters and code counts against the cycle's groups; return them keyed by group."""
    groups = {g.code: g for g in cycle.groups}
    named: dict[CycleRaterGroup, list[Person]] = {}
    seen: set[int] = set()
    for code, people in raters.items():
        group = groups.get(code)
        if group is None or group.source != CycleRaterGroup.Source.NAMED:
            raise AssessmentError(
                _("The cycle has no group “%(code)s” whose raters HR names per team.") % {"code": code}
            )
        people = list(people)
        twice = [p.name for p in people if p.pk in seen]
        if twice:
            raise AssessmentError(_("A person rates a team in one group only: %(names)s") % {"names": "、".join(twice)})
        seen.update(p.pk for p in people)
        named[group] = people
    counts: dict[str, int] = {}
    for code, count in codes.items():
        group = groups.get(code)
        if group is None or group.source != CycleRaterGroup.Source.CODES:
            raise AssessmentError(_("The cycle has no anonymous group “%(code)s”.") % {"code": code})
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise AssessmentError(_("The number of anonymous ballots cannot be negative."))
        if count > 5000:
            raise AssessmentError(_("At most %(n)s anonymous ballots per group and team.") % {"n": 5000})
        if count:
            counts[code] = count
    return named, counts


def case_raters_write(*, case: Case, named: Mapping[CycleRaterGroup, list[Person]]) -> None:
    CaseRater.objects.filter(case=case, group__in=list(named)).delete()
    CaseRater.objects.bulk_create(
        CaseRater(case=case, group=group, person=p) for group, people in named.items() for p in people
    )


def first_group(cycle: Cycle, source: str) -> CycleRaterGroup | None:
    """The cycle's first group whose raters come from `source`: where the shorthand `superiors=` / `anonymous_ballots=`
    of case_create goes."""
    return next((g for g in cycle.groups if g.source == source), None)
