"""Scored cycles with names, units and varied scores, as a plant's assessment would leave them: the reports
need figures that differ by indicator and rater group, which tests/assessments/helpers.fill does not give."""

from assessments.models import Assignment, Case, CaseSubject, Cycle
from assessments.services import (
    ballot_submit,
    case_create,
    cycle_close,
    cycle_open,
    cycle_release,
    cycle_score,
    draft_save,
    panel_set,
    sheet_for,
)
from assessments.services.codes import code_resolve
from people.models import LeadershipTeam, Person
from tests.assessments.factories import CycleFactory, MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory

SEATS = [
    ("王建国", "矿长", True),
    ("李明华", "党委书记", False),
    ("陈志强", "副矿长", False),
    ("刘晓燕", "副矿长", False),
]
# What subordinates think of each seat, on the 1–10 scale: distinct enough to give distinct ranks and grades.
BASE = {0: 9, 1: 8, 2: 7, 3: 6}


def plant_team(
    unit: str = "采油一矿", seats: list[tuple[str, str, bool]] = SEATS
) -> tuple[LeadershipTeam, list[Person]]:
    org_unit = OrgUnitFactory(name=unit)
    team = TeamFactory(org_unit=org_unit, name=f"{unit}领导班子")
    people = [
        MembershipFactory(
            team=team, person=PersonFactory(name=name, org_unit=org_unit), position=position, is_principal=principal
        ).person
        for name, position, principal in seats
    ]
    return team, people


def _fill(
    *, assignment: Assignment | None = None, code: str | None = None, lift: int, comments: dict, votes: dict
) -> None:
    """One sheet: each member's base score, moved by the indicator (so indicators differ) and by `lift`
    (so rater groups differ), kept on the scale and never all equal (which would void the sheet)."""
    holder = code_resolve(code=code) if code else None
    sheet = sheet_for(assignment=assignment, code=holder)
    cycle = sheet.cycle
    sections = {}
    for section in sheet.sections:
        subject = section.subject
        if subject.kind == CaseSubject.Kind.TEAM:
            key, base = "team", 8
        else:
            key, base = subject.person, BASE[(subject.order - 1) % len(BASE)]
        sections[str(subject.pk)] = {
            "scores": {
                str(indicator.pk): max(cycle.scale_min, min(cycle.scale_max - 1, base + lift + (n % 3) - 1))
                for n, indicator in enumerate(sheet.indicators)
            },
            "vote": votes.get(key, "competent"),
            "comment": comments.get(key, ""),
        }
    draft_save(assignment=assignment, code=holder, changes={"sections": sections})
    ballot_submit(assignment=assignment, code=holder)


def scored_cycle(
    *,
    team: LeadershipTeam,
    people: list[Person],
    year: int = 2025,
    superiors: int = 3,
    codes: int = 5,
    panel: int = 0,
    comments: list[str] | None = None,
    votes: dict | None = None,
    release: bool = True,
    lift: int = 0,
    others: list[tuple[LeadershipTeam, list[Person]]] = (),
    **settings,
) -> tuple[Cycle, Case]:
    """A cycle with this team (and the `others`), every sheet filled and submitted, scored and (unless told)
    released. The first person gets the subordinates' `comments` (one per code); `votes` (seat index → vote)
    are cast by every other rater, the rest vote competent; `lift` moves every score (another year, other
    figures). `superiors` rate in the cycle's first group named per team, the `codes` go to its first anonymous
    group, and with `groups="panel"` (the preset) a `panel` of that many rates every team. Returns the cycle and
    the first team's case."""
    cycle = CycleFactory(name=f"{year}年度领导班子综合考评", year=year, min_group_size=3, **settings)
    bosses = [PersonFactory(name=f"上级{i}") for i in range(superiors)]
    judges = [PersonFactory(name=f"考核组{i}") for i in range(panel)]
    if judges:
        panel_set(group=cycle.rater_groups.get(source="panel"), people=judges)
    teams = [(team, people), *others]
    cases = [case_create(cycle=cycle, team=t, superiors=bosses, anonymous_ballots=codes) for t, _ in teams]
    issued = cycle_open(cycle=cycle)
    for n, (case, (_, members)) in enumerate(zip(cases, teams, strict=True)):
        team_lift = lift - n % 3
        sheets = [{"assignment": Assignment.objects.get(case=case, rater=p), "lift": team_lift} for p in members]
        sheets += [{"assignment": Assignment.objects.get(case=case, rater=b), "lift": team_lift + 1} for b in bosses]
        sheets += [{"assignment": Assignment.objects.get(case=case, rater=j), "lift": team_lift - 2} for j in judges]
        sheets += [{"code": code, "lift": team_lift - 1 + i % 2} for i, code in enumerate(issued[case.pk])]
        by_person = {members[i]: v for i, v in (votes or {}).items() if i < len(members)}
        said = iter((comments or []) if n == 0 else [])
        for i, sheet in enumerate(sheets):
            comment = next(said, "") if "code" in sheet else ""
            _fill(**sheet, comments={members[0]: comment} if comment else {}, votes=by_person if i % 2 == 0 else {})
    cycle_score(cycle=cycle_close(cycle=cycle))
    if release:
        cycle_release(cycle=cycle)
    cycle.refresh_from_db()
    case = cases[0]
    case.refresh_from_db()
    return cycle, case


def subject_of(case: Case, person: Person) -> CaseSubject:
    return CaseSubject.objects.select_related("person", "case__cycle").get(case=case, person=person)
