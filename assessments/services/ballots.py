"""Filling and submitting ballot sheets.

A draft is JSON in the shape {"sections": {"<subject id>": {"scores": {"<indicator id>": int},
"vote": "excellent", "comment": "…"}}}; it is saved on every change and turned into rows on submit.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import AssessmentError, BallotClosed
from ..models import (
    SELF,
    Assignment,
    Ballot,
    BallotCode,
    BallotDraft,
    CaseSubject,
    Cycle,
    CycleRaterGroup,
    Indicator,
    Score,
    SectionResponse,
    Vote,
)

MAX_COMMENT = 2000


@dataclass
class Section:
    subject: CaseSubject
    rater_group: str
    rater_group_label: str = ""


@dataclass
class Sheet:
    """What one rater fills for one case: a section per subject, each counting for a rater group."""

    cycle: Cycle
    sections: list[Section]
    indicators: list[Indicator]
    data: dict = field(default_factory=dict)
    submitted: bool = False

    @property
    def section_by_id(self) -> dict[str, Section]:
        return {str(s.subject.pk): s for s in self.sections}

    @property
    def rated(self) -> list[Section]:
        """The sections the excellent quota counts: other members, not the rater nor the team."""
        return [s for s in self.sections if s.subject.kind == CaseSubject.Kind.MEMBER and s.rater_group != SELF]

    @property
    def quota(self) -> int | None:
        return excellent_quota(self.cycle, len(self.rated))


def _group_for(
    subject: CaseSubject, *, assignment: Assignment | None, code: BallotCode | None, groups: dict[str, CycleRaterGroup]
) -> str | None:
    """The group a section counts for, or None when the sheet has no such section."""
    if code is not None:
        return code.rater_group
    group = groups.get(assignment.rater_group)
    if group is None or group.source not in (CycleRaterGroup.Source.MEMBERS, CycleRaterGroup.Source.SELF):
        return assignment.rater_group
    # A member's own section, and the team section of a member's sheet, are self-evaluations: with no self group
    # the sheet leaves them out; with no members' group (the rater's group is self) it holds only them.
    if subject.kind == CaseSubject.Kind.TEAM or subject.person_id == assignment.rater_id:
        return SELF if SELF in groups else None
    return assignment.rater_group if group.source == CycleRaterGroup.Source.MEMBERS else None


def _holder(assignment: Assignment | None, code: BallotCode | None):
    if (assignment is None) == (code is None):
        raise ValueError("Give exactly one of assignment or code.")
    return assignment or code


def sheet_for(
    *, assignment: Assignment | None = None, code: BallotCode | None = None, structure: Sheet | None = None
) -> Sheet:
    """The holder's sheet with its draft. `structure`, a sheet of the same holder read earlier in the request,
    lends its sections and indicators (they do not change while a cycle is open), so that only the draft and
    the holder's state are read again: an autosave read the whole sheet twice, before and under the lock."""
    holder = _holder(assignment, code)
    if structure is not None:
        cycle, sections, indicators = structure.cycle, structure.sections, structure.indicators
    else:
        case = holder.case
        cycle = case.cycle
        subjects = list(case.subjects.select_related("person").order_by("order", "id"))
        groups = {g.code: g for g in cycle.groups}
        sections = []
        for subject in subjects:
            group = _group_for(subject, assignment=assignment, code=code, groups=groups)
            if group is not None:
                sections.append(Section(subject, group, groups[group].name if group in groups else group))
        indicators = list(
            Indicator.objects.filter(dimension__framework_id=cycle.framework_id)
            .select_related("dimension")
            .order_by("dimension__order", "order", "id")
        )
    draft = BallotDraft.objects.filter(**({"assignment": assignment} if assignment else {"code": code})).first()
    return Sheet(
        cycle=cycle,
        sections=sections,
        indicators=indicators,
        data=draft.data if draft else {"sections": {}},
        submitted=_is_spent(assignment, code),
    )


def _is_spent(assignment: Assignment | None, code: BallotCode | None) -> bool:
    if assignment is not None:
        return assignment.status == Assignment.Status.SUBMITTED
    return code.status not in (BallotCode.Status.ISSUED, BallotCode.Status.DRAFT)


def _check_window(cycle: Cycle) -> None:
    now = timezone.now()
    if cycle.status != Cycle.Status.OPEN:
        raise BallotClosed(_("This assessment is not open for ballots."))
    if cycle.opens_at and now < cycle.opens_at:
        raise BallotClosed(
            _("This assessment opens at %(when)s.") % {"when": f"{timezone.localtime(cycle.opens_at):%Y-%m-%d %H:%M}"}
        )
    if cycle.closes_at and now > cycle.closes_at:
        raise BallotClosed(
            _("This assessment closed at %(when)s.") % {"when": f"{timezone.localtime(cycle.closes_at):%Y-%m-%d %H:%M}"}
        )


def _merge(sheet: Sheet, changes: dict) -> dict:
    """Validate a change against the sheet and return the merged draft; raise before changing anything."""
    if not isinstance(changes, dict) or not isinstance(changes.get("sections", {}), dict):
        raise AssessmentError(_("The ballot data is malformed."))
    sections = sheet.section_by_id
    indicator_ids = {str(i.pk) for i in sheet.indicators}
    lo, hi = sheet.cycle.scale_min, sheet.cycle.scale_max
    merged = {"sections": {k: dict(v) for k, v in sheet.data.get("sections", {}).items()}}
    for subject_id, change in changes.get("sections", {}).items():
        subject_id = str(subject_id)
        if subject_id not in sections or not isinstance(change, dict):
            raise AssessmentError(_("This ballot has no section %(id)s.") % {"id": subject_id})
        target = merged["sections"].setdefault(subject_id, {})
        scores = dict(target.get("scores", {}))
        raw_scores = change.get("scores", {})
        if not isinstance(raw_scores, dict):
            raise AssessmentError(_("The ballot data is malformed."))
        for indicator_id, value in raw_scores.items():
            indicator_id = str(indicator_id)
            if indicator_id not in indicator_ids:
                raise AssessmentError(_("This ballot has no indicator %(id)s.") % {"id": indicator_id})
            if value is None or value == "":
                scores.pop(indicator_id, None)
                continue
            if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
                raise AssessmentError(_("A score must be a whole number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi})
            number = int(value)
            if not lo <= number <= hi:
                raise AssessmentError(_("A score must be a whole number from %(lo)s to %(hi)s.") % {"lo": lo, "hi": hi})
            scores[indicator_id] = number
        target["scores"] = scores
        if "vote" in change:
            vote = change["vote"] or ""
            if vote and vote not in Vote.values:
                raise AssessmentError(_("Unknown overall vote “%(vote)s”.") % {"vote": vote})
            target["vote"] = vote
        if "comment" in change:
            comment = change["comment"] or ""
            if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
                raise AssessmentError(_("A comment can be at most %(n)s characters.") % {"n": MAX_COMMENT})
            target["comment"] = comment.strip()
    return merged


def _lock_holder(holder: Assignment | BallotCode) -> Assignment | BallotCode:
    """The assignment or code, locked for this sheet alone, read with its case and cycle after the cycle is
    share-locked. A plain FOR UPDATE over the join locked the cycle's row too, so every sheet of a cycle was
    saved and submitted one after another (bench/ballots.py). A share lock lets them run side by side, while
    a close, reopen or purge (FOR UPDATE on the cycle) still waits for those in flight, and those after it
    read the cycle as it left it: no ballot lands in a closed cycle."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM assessments_cycle WHERE id = (SELECT cycle_id FROM assessments_case WHERE id = %s) "
                "FOR SHARE",
                [holder.case_id],
            )
    return type(holder).objects.select_for_update(of=("self",)).select_related("case__cycle").get(pk=holder.pk)


@transaction.atomic
def draft_save(
    *,
    changes: dict,
    assignment: Assignment | None = None,
    code: BallotCode | None = None,
    structure: Sheet | None = None,
) -> dict:
    """Merge a change into the draft and save it. Returns the whole draft. `structure`: see `sheet_for`."""
    holder = _lock_holder(_holder(assignment, code))
    assignment, code = (holder, None) if isinstance(holder, Assignment) else (None, holder)
    if _is_spent(assignment, code):
        raise BallotClosed(_("This ballot has already been submitted."))
    _check_window(holder.case.cycle)
    sheet = sheet_for(assignment=assignment, code=code, structure=structure)
    merged = _merge(sheet, changes)
    BallotDraft.objects.update_or_create(
        **({"assignment": assignment} if assignment else {"code": code}), defaults={"data": merged}
    )
    if assignment and assignment.status == Assignment.Status.PENDING:
        Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.DRAFT)
    if code and code.status == BallotCode.Status.ISSUED:
        BallotCode.objects.filter(pk=code.pk).update(status=BallotCode.Status.DRAFT)
    return merged


@dataclass
class Missing:
    subject: CaseSubject
    indicators: list[Indicator]
    vote: bool


def sheet_missing(sheet: Sheet) -> list[Missing]:
    """What is still to fill in, section by section (empty when the sheet is complete)."""
    missing = []
    for section in sheet.sections:
        data = sheet.data.get("sections", {}).get(str(section.subject.pk), {})
        scores = data.get("scores", {})
        lacking = [i for i in sheet.indicators if str(i.pk) not in scores]
        no_vote = not data.get("vote")
        if lacking or no_vote:
            missing.append(Missing(section.subject, lacking, no_vote))
    return missing


def excellent_quota(cycle: Cycle, rated: int) -> int | None:
    """How many people one sheet may vote excellent, or None for no quota (at least one when any)."""
    if cycle.excellent_quota_percent is None:
        return None
    return max(1, math.floor(Decimal(rated) * cycle.excellent_quota_percent / 100))


def sheet_void_reason(cycle: Cycle, values: list[int]) -> str:
    if not values:
        return ""
    if cycle.void_if_all_max and all(v == cycle.scale_max for v in values):
        return _("every score is full marks")
    if cycle.void_if_all_identical and len(set(values)) == 1:
        return _("every score is identical")
    return ""


def _scores_insert(*, ballot: Ballot, rows: list[tuple[int, int, str, int]]) -> None:
    """A sheet's ~100 scores (subject, indicator, rater group, value) in one statement. On PostgreSQL as four
    arrays unnested by the server: building and preparing a model instance per score took about a third of a
    submit's time in Python (bench/ballots.py). The values were checked when the draft was saved."""
    if connection.vendor != "postgresql":
        Score.objects.bulk_create(
            Score(
                ballot=ballot,
                cycle_id=ballot.cycle_id,
                subject_id=subject,
                indicator_id=indicator,
                rater_group=group,
                value=value,
                counted=not ballot.is_void,
            )
            for subject, indicator, group, value in rows
        )
        return
    subjects, indicators, groups, values = (list(column) for column in zip(*rows, strict=True)) if rows else ([],) * 4
    with connection.cursor() as cursor:
        cursor.execute(
            SCORES_INSERT_ANONYMOUS if ballot.kind == Ballot.Kind.ANONYMOUS else SCORES_INSERT,
            [ballot.pk, ballot.cycle_id, not ballot.is_void, subjects, indicators, groups, values],
        )


SCORES_INSERT = (
    "INSERT INTO assessments_score (ballot_id, cycle_id, subject_id, indicator_id, rater_group, value, counted) "
    "SELECT %s, %s, s, i, g, v, %s FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::smallint[]) "
    "AS t(s, i, g, v)"
)
# Anonymous sections and scores take their ids from a sequence of their own (migration 0008): from the tables' own,
# the gaps the mix (services/mixing.py) leaves among the named rows would date the anonymous ones between them.
SCORES_INSERT_ANONYMOUS = (
    "INSERT INTO assessments_score (id, ballot_id, cycle_id, subject_id, indicator_id, rater_group, value, counted) "
    "SELECT nextval('assessments_anonymous_row_seq'), %s, %s, s, i, g, v, %s "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[], %s::smallint[]) AS t(s, i, g, v)"
)


def _sections_insert(*, ballot: Ballot, sections: list[SectionResponse]) -> None:
    if connection.vendor != "postgresql" or ballot.kind != Ballot.Kind.ANONYMOUS:
        SectionResponse.objects.bulk_create(sections)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assessments_sectionresponse (id, ballot_id, subject_id, rater_group, vote, comment, counted) "
            "SELECT nextval('assessments_anonymous_row_seq'), %s, s, g, v, c, %s "
            "FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::text[]) AS t(s, g, v, c)",
            [
                ballot.pk,
                not ballot.is_void,
                [r.subject_id for r in sections],
                [r.rater_group for r in sections],
                [r.vote for r in sections],
                [r.comment for r in sections],
            ],
        )


@transaction.atomic
def ballot_submit(*, assignment: Assignment | None = None, code: BallotCode | None = None) -> Ballot:
    """Turn the draft into a ballot. Exactly one ballot per assignment or code, even under concurrent submits."""
    # Lock the row: two concurrent submits would otherwise both pass the status check.
    holder = _lock_holder(_holder(assignment, code))
    assignment, code = (holder, None) if isinstance(holder, Assignment) else (None, holder)
    case, cycle = holder.case, holder.case.cycle
    if _is_spent(assignment, code):
        raise BallotClosed(_("This ballot has already been submitted."))
    _check_window(cycle)

    sheet = sheet_for(assignment=assignment, code=code)
    missing = sheet_missing(sheet)
    if missing:
        names = "、".join(str(m.subject) for m in missing)
        raise AssessmentError(_("The ballot is not complete. Still to fill in: %(names)s.") % {"names": names})

    sections_data = sheet.data["sections"]
    quota = sheet.quota
    excellent = sum(1 for s in sheet.rated if sections_data[str(s.subject.pk)]["vote"] == Vote.EXCELLENT)
    if quota is not None and excellent > quota:
        raise AssessmentError(
            _("At most %(quota)s of the people on this sheet may be voted excellent; you chose %(n)s.")
            % {"quota": quota, "n": excellent}
        )

    values = [v for s in sheet.sections for v in sections_data[str(s.subject.pk)]["scores"].values()]
    void_reason = sheet_void_reason(cycle, values)
    counted = not void_reason

    if code is not None:
        # The conditional update is the guard that holds on every database: only one submit spends a code.
        spent = BallotCode.objects.filter(
            pk=code.pk, status__in=[BallotCode.Status.ISSUED, BallotCode.Status.DRAFT]
        ).update(status=BallotCode.Status.SPENT)
        if spent != 1:
            raise BallotClosed(_("This ballot has already been submitted."))
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                cycle=cycle,
                case=case,
                kind=Ballot.Kind.ANONYMOUS if code else Ballot.Kind.NAMED,
                assignment=assignment,
                anonymous_group=code.rater_group if code else "",
                is_void=not counted,
                void_reason=void_reason,
                is_test=cycle.test_mode,
            )
    except IntegrityError:
        raise BallotClosed(_("This ballot has already been submitted.")) from None

    _sections_insert(
        ballot=ballot,
        sections=[
            SectionResponse(
                ballot=ballot,
                subject=s.subject,
                rater_group=s.rater_group,
                vote=sections_data[str(s.subject.pk)]["vote"],
                comment=sections_data[str(s.subject.pk)].get("comment", ""),
                counted=counted,
            )
            for s in sheet.sections
        ],
    )
    _scores_insert(
        ballot=ballot,
        rows=[
            (s.subject.pk, int(indicator_id), s.rater_group, value)
            for s in sheet.sections
            for indicator_id, value in sections_data[str(s.subject.pk)]["scores"].items()
        ],
    )
    if assignment:
        Assignment.objects.filter(pk=assignment.pk).update(
            status=Assignment.Status.SUBMITTED, submitted_at=timezone.now()
        )
        BallotDraft.objects.filter(assignment=assignment).delete()
    else:
        # The draft is the only thing that tied this sheet to its code: it goes. What ties them still (this
        # transaction's id on the code, the ballot and its rows) lasts until the next mix (services/mixing.py).
        BallotDraft.objects.filter(code=code).delete()
    return ballot
