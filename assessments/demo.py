"""A fictional oil-production plant to try Kaoping with: org tree, leadership teams, logins, last year's
cycle (released) and this year's (open, most ballots in). Every assessment write goes through the services,
so the demo exercises the real code. All demo content is invented; random draws are seeded so that two
databases seeded on the same day hold the same people and scores (ballot codes are always fresh)."""

import datetime as dt
import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import LeadershipTeam, OrgUnit, Person
from people.services import membership_upsert, org_unit_upsert, person_upsert, team_upsert

from .demo_data import (
    CODES_FILE,
    COMMENTS,
    COMPANY_CODE,
    COMPANY_LEADERS,
    DEMO_PASSWORD,
    DIMENSIONS,
    FEMALE_NAMES,
    GROUP_SHIFT,
    LAST_CYCLE,
    MALE_NAMES,
    OPEN_CYCLE,
    PLANT,
    PLANT_CODE,
    PLANT_NAME,
    SURNAMES,
    TEAM_COMMENTS,
    TRANSFER_DATE,
    UNITS,
    WEAK,
    K,
)
from .models import SELF, Assignment, Ballot, Case, CaseSubject, Cycle, CycleRaterGroup, Framework, TimelineEvent, Vote
from .services import (
    ballot_submit,
    case_create,
    code_resolve,
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_release,
    cycle_score,
    draft_save,
    panel_set,
    sheet_for,
)
from .services.ballots import Sheet


class Writer(Protocol):
    def write(self, msg: str, /) -> object: ...


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    org_units: int = 0
    people: int = 0
    teams: int = 0
    users: int = 0
    last_cycle_ballots: int = 0
    open_cycle_ballots: int = 0
    open_cycle_unsubmitted: int = 0
    codes_file: Path | None = None
    codes_written: int = 0
    seconds: float = 0.0
    logins: tuple[tuple[str, str], ...] = ()


@dataclass
class Levels:
    """Each person's 'true level' on the 1–10 scale, with a strength or weakness per dimension."""

    person: dict[int, float] = field(default_factory=dict)
    dims: dict[int, dict[str, float]] = field(default_factory=dict)

    def of(self, subject: CaseSubject, team: dict[int, float]) -> tuple[float, dict[str, float]]:
        if subject.kind == CaseSubject.Kind.TEAM:
            return team[subject.case_id], {}
        return self.person[subject.person_id], self.dims[subject.person_id]


def _vote(rng: random.Random, mean: float) -> str:
    votes = [Vote.EXCELLENT, Vote.COMPETENT, Vote.BASIC, Vote.INCOMPETENT]
    step = 0 if mean >= 8.9 else 1 if mean >= 7.0 else 2 if mean >= 6.0 else 3
    if rng.random() < 0.08:  # now and then a rater's vote is a notch off their scores
        step = min(3, max(0, step + rng.choice((-1, 1))))
    return votes[step]


def _sections(
    rng: random.Random,
    sheet: Sheet,
    levels: Levels,
    team: dict[int, float],
    *,
    bias: float,
    limit: int | None = None,
    void: bool = False,
) -> dict:
    lo, hi = sheet.cycle.scale_min, sheet.cycle.scale_max
    sections = {}
    for section in sheet.sections[:limit]:
        level, dims = levels.of(section.subject, team)
        if void:  # the careless sheet every meeting has: the same score everywhere
            scores = {str(i.pk): 8 for i in sheet.indicators}
        else:
            base = level + bias + GROUP_SHIFT.get(section.rater_group, 0.0)
            scores = {
                str(i.pk): min(hi, max(lo, round(base + dims.get(i.dimension.code, 0.0) + rng.gauss(0, 0.6))))
                for i in sheet.indicators
            }
        vote = Vote.COMPETENT if void else _vote(rng, fmean(scores.values()) * 10 / hi)
        comment = ""
        if section.rater_group != SELF and not void and rng.random() < 0.12:
            is_team = section.subject.kind == CaseSubject.Kind.TEAM
            comment = rng.choice(TEAM_COMMENTS if is_team else COMMENTS[vote])
        sections[str(section.subject.pk)] = {"scores": scores, "vote": vote, "comment": comment}
    values = [v for s in sections.values() for v in s["scores"].values()]
    if not void and limit is None and len(set(values)) == 1:  # keep a good sheet from being void by chance
        first = next(iter(sections.values()))["scores"]
        key = next(iter(first))
        first[key] = first[key] - 1 if first[key] > lo else first[key] + 1
    return sections


# --- Building it ----------------------------------------------------------------------------------


@dataclass
class Plant:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    teams: list[LeadershipTeam] = field(default_factory=list)
    seats: dict[str, Person] = field(default_factory=dict)  # seat key → holder
    company_leaders: list[Person] = field(default_factory=list)
    levels: Levels = field(default_factory=Levels)


class _People:
    """Invents people: unique names, employee numbers, a login for each."""

    def __init__(self, rng: random.Random, password_hash: str) -> None:
        self.rng, self.password_hash = rng, password_hash
        self.names: set[str] = set()
        self.number = 10000

    def make(self, *, unit: OrgUnit, titles: Iterable[str], party_post: bool, username: str = "") -> Person:
        rng = self.rng
        female = rng.random() < 0.18
        while True:
            surname = rng.choice(SURNAMES)
            name = surname + rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            if name not in self.names:
                break
        self.names.add(name)
        self.number += 1
        employee_number = f"QL{self.number:05d}"
        party = Person.Party.CPC_MEMBER
        if not party_post:
            party = rng.choices(
                [Person.Party.CPC_MEMBER, Person.Party.NONE, Person.Party.OTHER_PARTY], weights=[88, 7, 5]
            )[0]
        user = _user(username or employee_number, self.password_hash, first_name=name[1:], last_name=surname)
        if Person.objects.filter(user=user).exists():  # an account that pre-dates the demo keeps its person
            user = None
        person, _created = person_upsert(
            employee_number=employee_number,
            name=name,
            gender=Person.Gender.FEMALE if female else Person.Gender.MALE,
            org_unit=unit,
            title=rng.choice(tuple(titles)),
            party=party,
            user=user,
            # A reserved domain: reminders in the demo reach the console (or a test outbox), never a real inbox.
            email=f"{employee_number.lower()}@qinglan.example",
        )
        return person


def _user(username: str, password_hash: str, **fields: object):
    """The demo account, created with the demo password; an existing account keeps its password and flags."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create(username=username, password=password_hash, **fields)
    return user


def _hr_group() -> Group:
    """HR runs cycles and keeps the organisation. It sees results but gets no admin rights on what raters
    wrote (sheets, scores, drafts, codes): those change only through the services, and stay out of sight."""
    group, _created = Group.objects.get_or_create(name="HR")
    view_only = ["timelineevent", "subjectresult", "caseresult", "cycleresult"]
    ballots = ["ballot", "ballotcode", "ballotdraft", "score", "sectionresponse"]
    perms = Permission.objects.filter(content_type__app_label__in=["people", "assessments"]).filter(
        Q(codename__startswith="view_") | Q(codename__startswith="add_") | Q(codename__startswith="change_")
    )
    perms = perms.exclude(content_type__model__in=ballots).exclude(
        Q(content_type__model__in=view_only) & ~Q(codename__startswith="view_")
    )
    manage = Permission.objects.get(content_type__app_label="assessments", codename="manage_cycles")
    group.permissions.add(*perms, manage)
    return group


def _organisation(rng: random.Random, password_hash: str) -> Plant:
    plant = Plant()
    people = _People(rng, password_hash)
    company, _c = org_unit_upsert(code=COMPANY_CODE, name="青岚油田分公司", kind=K.COMPANY, parent=None)
    plant_unit, _c = org_unit_upsert(code=PLANT.code, name=PLANT.name, kind=PLANT.kind, parent=company)
    plant.units = {PLANT.code: plant_unit}
    for unit in UNITS:
        plant.units[unit.code], _c = org_unit_upsert(code=unit.code, name=unit.name, kind=unit.kind, parent=plant_unit)

    for position, title in COMPANY_LEADERS:
        plant.company_leaders.append(people.make(unit=company, titles=[title], party_post=position == "党委书记"))

    for unit in (PLANT, *UNITS):
        if not unit.seats:
            continue
        org_unit = plant.units[unit.code]
        team, _c = team_upsert(org_unit=org_unit, name=f"{unit.name}领导班子")
        plant.teams.append(team)
        # Seniority follows the order of the seats, so the sheet lists the team as a paper form would.
        starts = sorted(dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(3650)) for _ in unit.seats)
        for seat, start in zip(unit.seats, starts, strict=True):
            username = {"dep_prod": "evaluator", "leader": "leader"}.get(seat.key, "")
            home = plant.units[f"{PLANT_CODE}-SC"] if seat.key == "transferred" else org_unit
            person = people.make(unit=home, titles=seat.titles, party_post=seat.party_post, username=username)
            end = TRANSFER_DATE if seat.key == "transferred" else None
            membership_upsert(
                team=team,
                person=person,
                position=seat.position,
                is_principal=seat.principal,
                start_date=start,
                end_date=end,
            )
            if seat.key:
                plant.seats[seat.key] = person
            plant.levels.person[person.pk] = WEAK.get(seat.key, min(9.4, max(7.6, rng.gauss(8.3, 0.45))))
            plant.levels.dims[person.pk] = {d: rng.gauss(0, 0.35) for d in DIMENSIONS}
            if seat.key == "transferred":
                successor = people.make(unit=org_unit, titles=seat.titles, party_post=False)
                membership_upsert(
                    team=team,
                    person=successor,
                    position=seat.position,
                    is_principal=False,
                    start_date=TRANSFER_DATE + dt.timedelta(days=1),
                    end_date=None,
                )
                plant.levels.person[successor.pk] = 8.0
                plant.levels.dims[successor.pk] = {d: rng.gauss(0, 0.35) for d in DIMENSIONS}
    return plant


def _cycle(
    rng: random.Random,
    plant: Plant,
    *,
    name: str,
    year: int,
    opens_at: dt.datetime,
    closes_at: dt.datetime | None,
    actor,
    preset: str = "standard",
) -> tuple[Cycle, dict[int, list[str]]]:
    """A cycle over every team of the plant. "standard": the plant's leaders rate the units as superiors. "panel"
    (分管领导 20 / 考核组 40 / 职工代表 40): each unit's leader in charge rates it, and the director and the party
    secretary sit on the assessment panel that rates every team they are not members of."""
    framework = Framework.objects.filter(code="leadership").order_by("-version").first()
    cycle = cycle_create(
        framework=framework, name=name, year=year, opens_at=opens_at, closes_at=closes_at, preset=preset, actor=actor
    )
    by_unit = {u.code: u for u in (PLANT, *UNITS)}
    for team in plant.teams:
        unit = by_unit[team.org_unit.code]
        if unit is PLANT:
            named = plant.company_leaders
        elif preset == "panel":
            named = [plant.seats[unit.overseer]]
        else:
            named = [plant.seats["director"], plant.seats["secretary"], plant.seats[unit.overseer]]
        case_create(
            cycle=cycle, team=team, superiors=named, anonymous_ballots=unit.codes + rng.randrange(3), actor=actor
        )
    panel = next((g for g in cycle.groups if g.source == CycleRaterGroup.Source.PANEL), None)
    if panel is not None:
        panel_set(group=panel, people=[plant.seats["director"], plant.seats["secretary"]], actor=actor)
    codes = cycle_open(cycle=cycle, actor=actor)
    cycle.refresh_from_db()
    return cycle, codes


def _team_levels(cycle: Cycle, levels: Levels) -> dict[int, float]:
    """A team as a whole is rated a little above its members' average: people rate the collective kindly."""
    members: dict[int, list[float]] = {}
    for subject in CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER):
        members.setdefault(subject.case_id, []).append(levels.person[subject.person_id])
    return {case_id: fmean(values) + 0.15 for case_id, values in members.items()}


def _fill_assignment(
    rng: random.Random, assignment: Assignment, levels: Levels, team: dict[int, float], *, submit: bool
) -> None:
    sheet = sheet_for(assignment=assignment)
    limit = None if submit else max(1, len(sheet.sections) // 2)
    changes = {"sections": _sections(rng, sheet, levels, team, bias=rng.gauss(0, 0.3), limit=limit)}
    draft_save(assignment=assignment, changes=changes)
    if submit:
        ballot_submit(assignment=assignment)


def _fill_codes(
    rng: random.Random,
    cycle: Cycle,
    codes: dict[int, list[str]],
    levels: Levels,
    share: float,
    *,
    void_one: bool = False,
) -> dict[int, list[str]]:
    """Employee representatives hand in about `share` of the codes; returns the codes still unused."""
    team = _team_levels(cycle, levels)
    unused = {}
    for case_id, plain in codes.items():
        used = round(len(plain) * min(0.95, max(0.5, rng.gauss(share, 0.05))))
        sheet = None
        for i, text in enumerate(plain[:used]):
            code = code_resolve(code=text)
            sheet = sheet or sheet_for(code=code)  # every code of a case has the same sheet
            void = void_one and i == 0
            changes = {"sections": _sections(rng, sheet, levels, team, bias=rng.gauss(0, 0.5), void=void)}
            draft_save(code=code, changes=changes)
            ballot_submit(code=code)
            void_one = void_one and not void
        unused[case_id] = plain[used:]
    return unused


# When each step of a cycle happened, in days from its opening: the timeline reads as the year went, not as the
# minute the demo was seeded. Steps still ahead (a cycle that is open) are left out.
LAST_YEAR_STEPS = {"created": -18, "case_created": -17, "opened": 0, "closed": 11, "scored": 14, "released": 33}
THIS_YEAR_STEPS = {"created": -15, "case_created": -14, "updated": -13, "opened": 0}


def date_steps(cycle: Cycle, steps: dict[str, int], *, case=None) -> None:
    """Put the cycle's timeline events (or one case's) at their day, at a plausible office hour each."""
    start = cycle.opens_at or timezone.now()
    latest = timezone.now() - dt.timedelta(hours=1)
    events = TimelineEvent.objects.filter(cycle=cycle, **({"case": case} if case is not None else {}))
    for action, days in steps.items():
        when = min(latest, (start + dt.timedelta(days=days)).replace(hour=9) + dt.timedelta(minutes=17 * len(action)))
        events.filter(action=action).update(created_at=when)


def _spread_submissions(rng: random.Random, cycle: Cycle, until: dt.datetime) -> None:
    """Named sheets come in over the window, most in its first days, not all at the second the demo was made."""
    start = cycle.opens_at
    span = max(1.0, (until - start).total_seconds())
    submitted = list(Assignment.objects.filter(case__cycle=cycle, status=Assignment.Status.SUBMITTED).order_by("pk"))
    for assignment in submitted:
        assignment.submitted_at = start + dt.timedelta(seconds=min(span - 60, rng.betavariate(1.2, 3.0) * span))
    Assignment.objects.bulk_update(submitted, ["submitted_at"], batch_size=1000)


def _last_year(rng: random.Random, plant: Plant, actor) -> Cycle:
    opens_at = timezone.make_aware(dt.datetime(2025, 12, 8, 9, 0))
    # No closing time: the services refuse ballots after it, and these are filled in today.
    cycle, codes = _cycle(rng, plant, name=LAST_CYCLE, year=2025, opens_at=opens_at, closes_at=None, actor=actor)
    team = _team_levels(cycle, plant.levels)
    for assignment in Assignment.objects.filter(case__cycle=cycle).order_by("case__team__org_unit__code", "pk"):
        _fill_assignment(rng, assignment, plant.levels, team, submit=True)
    _fill_codes(rng, cycle, codes, plant.levels, 0.85, void_one=True)
    cycle_close(cycle=cycle, actor=actor)
    cycle_score(cycle=cycle, actor=actor)
    cycle = cycle_release(cycle=cycle, actor=actor)
    date_steps(cycle, LAST_YEAR_STEPS)
    _spread_submissions(rng, cycle, until=opens_at + dt.timedelta(days=LAST_YEAR_STEPS["closed"]))
    return cycle


def _this_year(rng: random.Random, plant: Plant, actor) -> tuple[Cycle, dict[int, list[str]]]:
    # A year on, most people are a little better; the weak deputy of 采油三矿 took the warning talk to heart.
    levels = Levels(dims=plant.levels.dims)
    for person_id, level in plant.levels.person.items():
        levels.person[person_id] = min(9.5, level + rng.gauss(0.1, 0.2))
    levels.person[plant.seats["weak"].pk] = 7.1
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    cycle, codes = _cycle(
        rng,
        plant,
        name=OPEN_CYCLE,
        year=2026,
        opens_at=now - dt.timedelta(days=12),
        closes_at=now + dt.timedelta(days=18),
        actor=actor,
        preset="panel",
    )
    team = _team_levels(cycle, levels)
    evaluator = plant.seats["dep_prod"]
    members_group = next((g.code for g in cycle.groups if g.source == CycleRaterGroup.Source.MEMBERS), None)
    # The evaluator's sheets as a leader in charge: two in, one half-filled, the rest still to do.
    plan = iter([Assignment.Status.SUBMITTED, Assignment.Status.SUBMITTED, Assignment.Status.DRAFT])
    for assignment in (
        Assignment.objects.filter(case__cycle=cycle)
        .select_related("rater__user")
        .order_by("case__team__org_unit__code", "pk")
    ):
        username = getattr(assignment.rater.user, "username", "")
        if username == "leader":
            continue  # the leader's own sheet is left for whoever tries the app
        if assignment.rater_id == evaluator.pk and assignment.rater_group != members_group:
            status = next(plan, Assignment.Status.PENDING)
        else:
            status = rng.choices(
                [Assignment.Status.SUBMITTED, Assignment.Status.DRAFT, Assignment.Status.PENDING], weights=[80, 8, 12]
            )[0]
        if status != Assignment.Status.PENDING:
            _fill_assignment(rng, assignment, levels, team, submit=status == Assignment.Status.SUBMITTED)
    unused = _fill_codes(rng, cycle, codes, levels, 0.70)
    date_steps(cycle, THIS_YEAR_STEPS)
    _spread_submissions(rng, cycle, until=timezone.now())
    return cycle, unused


def _write_codes(cycle: Cycle, unused: dict[int, list[str]]) -> tuple[Path, int]:
    directory = Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CODES_FILE
    names = dict(Case.objects.filter(cycle=cycle).order_by("team__org_unit__code").values_list("pk", "team__name"))
    lines = [
        "# "
        + _("Unused one-time anonymous ballot codes of “%(cycle)s”. They are shown nowhere else.")
        % {"cycle": cycle.name},
        "# " + _("Team, tab, code; each code can be used for one sheet."),
    ]
    lines += [f"{names[case_id]}\t{code}" for case_id in names for code in unused[case_id]]
    # Live codes are ballots: readable by the owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path, sum(len(c) for c in unused.values())


def _say(stdout: Writer | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def seed_demo(
    *, stdout: Writer | None = None, after_last_cycle: Callable[[Cycle, Plant, object], None] | None = None
) -> DemoSummary:
    """Build the demo plant and its two cycles, unless it is already there. `after_last_cycle(cycle, plant, hr)`
    adds what the layers above make of last year's released cycle (followup: talks and plans), in the same
    transaction, before this year's cycle opens."""
    if OrgUnit.objects.filter(code=PLANT_CODE).exists():
        _say(
            stdout,
            _("The demo plant “%(name)s” (%(code)s) is already there: nothing to do.")
            % {"name": PLANT_NAME, "code": PLANT_CODE},
        )
        return DemoSummary(created=False)
    started = time.monotonic()
    rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: one PBKDF2 run instead of sixty
    with transaction.atomic():
        hr = _user("hr", password_hash, is_staff=True)
        hr.groups.add(_hr_group())
        _user("admin", password_hash, is_staff=True, is_superuser=True)
        plant = _organisation(rng, password_hash)
        last = _last_year(rng, plant, hr)
        if after_last_cycle is not None:
            after_last_cycle(last, plant, hr)
        current, unused = _this_year(rng, plant, hr)
        people = [*plant.company_leaders, *Person.objects.filter(pk__in=plant.levels.person.keys())]
        last_ballots = Ballot.objects.filter(cycle=last).count()
        open_ballots = Ballot.objects.filter(cycle=current).count()
        unsubmitted = Assignment.objects.filter(case__cycle=current).exclude(status=Assignment.Status.SUBMITTED).count()
    # Written once the data is in: a failed run leaves no file naming codes that do not exist.
    path, written = _write_codes(current, unused)
    leader, evaluator = plant.seats["leader"], plant.seats["dep_prod"]
    result = DemoSummary(
        created=True,
        org_units=len(plant.units) + 1,
        people=len(people),
        teams=len(plant.teams),
        users=2 + sum(1 for p in people if p.user_id),
        last_cycle_ballots=last_ballots,
        open_cycle_ballots=open_ballots,
        open_cycle_unsubmitted=unsubmitted,
        codes_file=path,
        codes_written=written,
        seconds=time.monotonic() - started,
        logins=(
            ("admin", _("superuser")),
            ("hr", _("HR staff, group “HR”: runs the cycles")),
            ("leader", f"{leader.name}，采油一矿矿长"),
            ("evaluator", f"{evaluator.name}，副厂长: " + _("leader in charge of four teams, with sheets to fill")),
        ),
    )
    _report(stdout, result)
    return result


def _report(stdout: Writer | None, s: DemoSummary) -> None:
    _say(stdout, _("Demo plant “%(name)s” created in %(seconds).1f s.") % {"name": PLANT_NAME, "seconds": s.seconds})
    _say(
        stdout,
        _("  %(units)d org units, %(people)d people, %(teams)d leadership teams, %(users)d logins")
        % {"units": s.org_units, "people": s.people, "teams": s.teams, "users": s.users},
    )
    _say(stdout, _("  %(cycle)s: released, %(n)d ballots") % {"cycle": LAST_CYCLE, "n": s.last_cycle_ballots})
    _say(
        stdout,
        _("  %(cycle)s: open, %(n)d ballots in, %(left)d named sheets not yet submitted")
        % {"cycle": OPEN_CYCLE, "n": s.open_cycle_ballots, "left": s.open_cycle_unsubmitted},
    )
    _say(stdout, _("Logins (password: %(password)s):") % {"password": DEMO_PASSWORD})
    for username, who in s.logins:
        _say(stdout, f"  {username:<10} {who}")
    _say(stdout, "  " + _("and every demo person under their employee number, e.g. QL10001"))
    _say(
        stdout,
        _("%(n)d unused anonymous ballot codes of the open cycle: %(path)s")
        % {"n": s.codes_written, "path": s.codes_file},
    )
