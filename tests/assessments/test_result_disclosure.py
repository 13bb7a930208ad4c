"""Property: from everything one viewer receives, no figure hidden from that viewer can be worked out.

Random cycles (two teams, group sizes around k, some members hidden, some not) are rated, scored and released
through the services. Then, for HR, every member (the first of each team is its principal) and an outsider, the
test collects every figure each surface hands that viewer — the selectors behind the pages, the API's JSON, the
CSV export, the data of the member, team and cycle PDFs — and tries, as an attacker would:

- each individual figure received must be one the rules (README, "What each viewer sees of results") let this
  viewer see, and equal the stored one;
- each aggregate over people whose figures the viewer does receive must equal the aggregate recomputed from
  those figures (so it carries nothing more);
- a linear solve over all that was received (each figure as a known value, each aggregate as the mean over the
  set of people it really averages) must leave every other figure undetermined.

The attacker is granted the exact set each aggregate averages: the test finds it from the stored figures.
"""

import csv
import io
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

import pytest
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from assessments.models import CaseSubject, SubjectResult
from assessments.selectors import case_result_for, leader_results_for
from assessments.services import (
    ballot_submit,
    case_create,
    cycle_close,
    cycle_open,
    cycle_release,
    cycle_score,
    draft_save,
    sheet_for,
)
from assessments.services.codes import code_resolve
from people.selectors import person_for_user
from reports.report_data import cycle_summary_data, member_report_data, team_report_data
from tests.assessments.factories import CycleFactory, PersonFactory, UserFactory, team_with_members
from tests.assessments.helpers import assignment_of, close, fill, open_case
from tests.integrations.factories import hr_user

pytestmark = pytest.mark.django_db
TOLERANCE = 0.0051  # every figure is published to two places, half up
SELF = "self"
# The standard preset's groups that count in the total: the test works them out itself, not from the code under test.
WEIGHTED_GROUPS = ("superior", "peer", "subordinate")

Figure = tuple[int, tuple]  # (subject id, coordinate): ("total",), ("dim", code), ("group", g, "score" | code)


@dataclass
class World:
    cycle: object
    k: int
    cases: list
    members: dict[int, list[CaseSubject]]  # case id → member subjects
    team_subject: dict[int, CaseSubject]  # case id → the team as a whole
    truth: dict[Figure, float]
    published: set[int]  # member and team subjects whose figures may be shown at all
    groups: dict[int, dict]  # subject id → stored groups


@dataclass
class Received:
    figures: dict[Figure, float] = field(default_factory=dict)
    where: dict[Figure, str] = field(default_factory=dict)  # the first surface that handed out each figure
    # (population of subject ids it may average, coordinate, value, where it came from)
    aggregates: list[tuple[frozenset[int], tuple, float, str]] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def figure(self, subject_id: int, coordinate: tuple, value, where: str) -> None:
        if value is None or value == "":
            return
        self.figures[(subject_id, coordinate)] = float(value)
        self.where.setdefault((subject_id, coordinate), where)

    def aggregate(self, population, coordinate: tuple, value, where: str) -> None:
        if value is not None and value != "":
            self.aggregates.append((frozenset(population), coordinate, float(value), where))


# --- building a world ---------------------------------------------------------------------------------------


def _fill(*, assignment=None, code=None, rng: random.Random) -> None:
    sheet = sheet_for(assignment=assignment, code=code)
    lo, hi = sheet.cycle.scale_min, sheet.cycle.scale_max
    sections = {
        str(s.subject.pk): {
            "scores": {str(i.pk): rng.randint(lo, hi) for i in sheet.indicators},
            "vote": rng.choice(["excellent", "competent", "competent", "basic", "incompetent"]),
            "comment": "",
        }
        for s in sheet.sections
    }
    draft_save(assignment=assignment, code=code, changes={"sections": sections})
    ballot_submit(assignment=assignment, code=code)


def build(seed: int, k: int, sizes: list[tuple[int, int, int]]) -> World:
    """sizes: per team (members, superiors, codes). Who of them submits is drawn from the seed."""
    rng = random.Random(seed)
    cycle = CycleFactory(min_group_size=k, void_if_all_identical=False, void_if_all_max=False)
    plan = []
    for members, superiors, codes in sizes:
        team, people = team_with_members(members)
        for person in people:
            person.user = UserFactory()
            person.save()
        bosses = [PersonFactory() for _ in range(superiors)]
        plan.append((case_create(cycle=cycle, team=team, superiors=bosses, anonymous_ballots=codes), people))
    issued = cycle_open(cycle=cycle)
    for case, _people in plan:
        for assignment in case.assignments.all():
            if rng.random() < 0.7:
                _fill(assignment=assignment, rng=rng)
        for code in issued.get(case.pk, []):
            if rng.random() < 0.7:
                _fill(code=code_resolve(code=code), rng=rng)
    cycle_close(cycle=cycle)
    cycle_score(cycle=cycle)
    cycle_release(cycle=cycle)
    return world_of(cycle, [c for c, _ in plan])


def world_of(cycle, cases: list) -> World:
    """The stored figures of a scored cycle: what the attacker is trying to learn."""
    cycle.refresh_from_db()
    k = cycle.min_group_size
    truth: dict[Figure, float] = {}
    published, groups_of = set(), {}
    members, team_subject = defaultdict(list), {}
    for result in SubjectResult.objects.filter(cycle=cycle).select_related("subject"):
        subject, sid = result.subject, result.subject_id
        groups_of[sid] = result.groups
        if subject.kind == CaseSubject.Kind.TEAM:
            team_subject[result.case_id] = subject
        else:
            members[result.case_id].append(subject)
        weighted = sum(result.groups[g]["n"] for g in WEIGHTED_GROUPS if g in result.groups)
        if weighted >= k:
            published.add(sid)
        if result.total is not None:
            truth[(sid, ("total",))] = float(result.total)
        for code, value in result.dimensions.items():
            if value is not None:
                truth[(sid, ("dim", code))] = float(value)
        for g, figures in result.groups.items():
            if figures.get("score") is not None:
                truth[(sid, ("group", g, "score"))] = float(figures["score"])
            for code, value in figures.get("dimensions", {}).items():
                if value is not None:
                    truth[(sid, ("group", g, code))] = float(value)
    return World(cycle, k, cases, members, team_subject, truth, published, groups_of)


# --- what the rules let a viewer see (written from the README, not from the code) ---------------------------


def person_id_of(viewer) -> int | None:
    person = person_for_user(user=viewer)
    return person.pk if person else None


def may_see(world: World, viewer, is_hr: bool, subject: CaseSubject, coordinate: tuple) -> bool:
    person_id = person_id_of(viewer)
    principal_of = {
        c.pk for c in world.cases if any(s.person_id == person_id and s.is_principal for s in world.members[c.pk])
    }
    own = subject.kind == CaseSubject.Kind.MEMBER and subject.person_id == person_id
    if not (is_hr or own or subject.case_id in principal_of):
        return False
    groups, k = world.groups[subject.pk], world.k
    if coordinate[0] == "group" and coordinate[1] == SELF:
        if subject.kind == CaseSubject.Kind.TEAM:
            return groups[SELF]["n"] >= k
        return is_hr or own  # a self-evaluation: the leader and HR, never a colleague
    if subject.pk not in world.published:
        return False
    if coordinate[0] == "group":
        present = [groups[g]["n"] for g in WEIGHTED_GROUPS if g in groups and groups[g]["n"]]
        return all(n >= k for n in present)
    return True


# --- what each surface hands a viewer ------------------------------------------------------------------------


def _visible(received: Received, visible, where: str) -> None:
    sid = visible.subject.pk
    received.figure(sid, ("total",), visible.total, where)
    for code, value in visible.dimensions.items():
        received.figure(sid, ("dim", code), value, where)
    for g, figures in visible.groups.items():
        received.figure(sid, ("group", g, "score"), figures.get("score"), where)
        for code, value in figures.get("dimensions", {}).items():
            received.figure(sid, ("group", g, code), value, where)


def collect(world: World, viewer, is_hr: bool, client: Client) -> Received:
    got = Received()
    cycle = world.cycle
    cycle_members = frozenset(s.pk for c in world.cases for s in world.members[c.pk])
    by_employee = {s.person.employee_number: s for c in world.cases for s in world.members[c.pk]}
    by_team = {c.team.name: world.team_subject[c.pk] for c in world.cases}

    # The pages: "My results" (and its radar), the team page / HR case page, HR's cycle desk.
    for page in leader_results_for(user=viewer):
        if page.subject.case.cycle_id != cycle.pk:
            continue
        _visible(got, page.result, "my results")
        team = frozenset(s.pk for s in world.members[page.subject.case_id])
        for code, value in page.team_dimensions.items():
            got.aggregate(team, ("dim", code), value, "my results: team average")
        for code, value in page.cycle_dimensions.items():
            got.aggregate(cycle_members, ("dim", code), value, "my results: cycle average")
    for case in world.cases:
        team = frozenset(s.pk for s in world.members[case.pk])
        result = case_result_for(viewer=viewer, case=case)
        if result is None:
            continue
        for visible in [*result.members, *([result.team] if result.team else [])]:
            _visible(got, visible, "team page")
        got.aggregate(team, ("total",), result.member_average, "team page: members' average")
        if is_hr:
            got.aggregate(team, ("total",), result.aggregate.member_average, "cycle desk: members' average")

    # The API's JSON and the export, as this viewer signed in.
    url = f"/api/v1/results/?cycle={cycle.pk}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        for row in body["results"]:
            sid = row["subject"]
            got.figure(sid, ("total",), row["total"], "API")
            for code, value in row["dimensions"].items():
                got.figure(sid, ("dim", code), value, "API")
            for group in row["groups"]:
                got.figure(sid, ("group", group["group"], "score"), group["score"], "API")
                for code, value in group["dimensions"].items():
                    got.figure(sid, ("group", group["group"], code), value, "API")
        url = body.get("next")
    response = client.get(f"/api/v1/cycles/{cycle.pk}/results.csv")
    assert response.status_code == 200 if is_hr else response.status_code in (200, 403), response.status_code
    text = b"".join(response.streaming_content).decode("utf-8-sig") if response.status_code == 200 else ""
    header, *rows = list(csv.reader(io.StringIO(text))) or [[]]
    col = {name: header.index(name) for name in header}
    dimension_codes = {d.name_en or d.name: d.code for d in cycle.framework.dimensions.all()}
    dimension_codes |= {d.name: d.code for d in cycle.framework.dimensions.all()}
    group_codes = {g.name: g.code for g in cycle.rater_groups.all()}
    for row in rows:
        subject = by_employee.get(row[col["Employee number"]]) or by_team[row[col["Leadership team"]]]
        code = dimension_codes[row[col["Dimension"]]]
        got.figure(subject.pk, ("total",), row[col["Weighted total"]], "export")
        got.figure(subject.pk, ("dim", code), row[col["Dimension score"]], "export")
        group = group_codes[row[col["Rater group"]]]
        got.figure(subject.pk, ("group", group, code), row[col["Group's dimension score"]], "export")

    # The PDFs' data, for the reports this viewer may download (reports/rules.py): own member report, the
    # principal's team report, and HR all three kinds.
    person_id = person_id_of(viewer)
    for case in world.cases:
        team = frozenset(s.pk for s in world.members[case.pk])
        for subject in world.members[case.pk]:
            if not (is_hr or subject.person_id == person_id):
                continue
            data = member_report_data(subject=subject)
            got.figure(subject.pk, ("total",), data["total"], "member PDF")
            for row in data["dimensions"]:
                got.figure(subject.pk, ("dim", row["code"]), row["score"], "member PDF")
                got.figure(subject.pk, ("group", SELF, row["code"]), row["self"], "member PDF")
                got.aggregate(team, ("dim", row["code"]), row["team"], "member PDF: team average")
                got.aggregate(cycle_members, ("dim", row["code"]), row["cycle"], "member PDF: cycle average")
                for g, value in zip([g["code"] for g in data["groups"]], row["by_group"], strict=True):
                    got.figure(subject.pk, ("group", g, row["code"]), value, "member PDF")
            for g in data["groups"]:
                got.figure(subject.pk, ("group", g["code"], "score"), g["score"], "member PDF")
            if data["self_vs_others"]:
                got.figure(subject.pk, ("group", SELF, "score"), data["self_vs_others"]["self"], "member PDF")
        principal = any(s.person_id == person_id and s.is_principal for s in world.members[case.pk])
        if is_hr or principal:
            data = team_report_data(case=case)
            names = {s.person.name: s for s in world.members[case.pk]}
            codes = [d.code for d in cycle.framework.dimensions.order_by("order", "id")]
            for row in data["members"]:
                subject = names[row["name"]]
                got.figure(subject.pk, ("total",), row["total"], "team PDF")
                for code, value in zip(codes, row["dimensions"], strict=True):
                    got.figure(subject.pk, ("dim", code), value, "team PDF")
            got.aggregate(team, ("total",), data["aggregate"]["member_average"], "team PDF: average")
            for d in data["aggregate"]["dimensions"]:
                got.aggregate(team, ("dim", d["code"]), d["average"], "team PDF: dimension average")
            if data["team_section"]:
                got.figure(world.team_subject[case.pk].pk, ("total",), data["team_section"]["total"], "team PDF")
    if is_hr:
        data = cycle_summary_data(cycle=cycle)
        for case, row in zip(sorted(world.cases, key=lambda c: c.team.org_unit.code), data["teams"], strict=True):
            team = frozenset(s.pk for s in world.members[case.pk])
            got.aggregate(team, ("total",), row["average"], "cycle PDF: team average")
            got.figure(world.team_subject[case.pk].pk, ("total",), row["team_total"], "cycle PDF")
        got.aggregate(cycle_members, ("total",), data["overall"]["average"], "cycle PDF: overall average")
    return got


# --- the attacker's arithmetic -------------------------------------------------------------------------------


def averaged_set(world: World, population: frozenset[int], coordinate: tuple, value: float) -> frozenset[int]:
    """The set of people the aggregate really averages, as far as the stored figures tell: the published ones,
    everyone, or (failing both) any subset whose mean matches. An attacker is granted this knowledge."""

    def mean_of(subset) -> float | None:
        values = [world.truth.get((sid, coordinate)) for sid in subset]
        return sum(values) / len(values) if values and None not in values else None

    candidates = [frozenset(population & world.published), population]
    candidates += [
        frozenset(c) for size in range(len(population), 0, -1) for c in itertools.combinations(sorted(population), size)
    ]
    for subset in candidates:
        mean = mean_of(subset)
        if subset and mean is not None and abs(mean - value) <= TOLERANCE:
            return subset
    raise AssertionError(f"an aggregate {coordinate} = {value} that is the mean of no set of its people")


def in_row_space(rows: list[dict[int, Fraction]], target: int) -> bool:
    """Whether the unit vector of `target` is a combination of the rows (exact elimination over fractions)."""

    def rank(vectors: list[dict[int, Fraction]]) -> int:
        basis: dict[int, dict[int, Fraction]] = {}
        for vector in vectors:
            v = dict(vector)
            while v:
                pivot = min(v)
                if pivot not in basis:
                    basis[pivot] = v
                    break
                factor = v[pivot] / basis[pivot][pivot]
                for key, coefficient in basis[pivot].items():
                    v[key] = v.get(key, Fraction(0)) - factor * coefficient
                    if v[key] == 0:
                        del v[key]
        return len(basis)

    return rank(rows) == rank([*rows, {target: Fraction(1)}])


def check(world: World, viewer, is_hr: bool, got: Received, label: str) -> None:
    subjects = {s.pk: s for c in world.cases for s in [*world.members[c.pk], world.team_subject[c.pk]]}
    figures = got.figures
    # 1. Every figure received is one this viewer may see, and the stored one.
    for (sid, coordinate), value in figures.items():
        where = got.where[(sid, coordinate)]
        assert may_see(world, viewer, is_hr, subjects[sid], coordinate), (label, where, sid, coordinate)
        assert abs(world.truth[(sid, coordinate)] - value) <= TOLERANCE, (label, where, sid, coordinate)
    check_recomputed(world, got, label)
    check_not_derivable(world, got, label)


def check_recomputed(world: World, got: Received, label: str) -> None:
    """An aggregate over people whose figures the viewer receives equals the one recomputed from them."""
    figures = got.figures
    for population, coordinate, value, where in got.aggregates:
        known = [figures[(sid, coordinate)] for sid in population if (sid, coordinate) in figures]
        if known and all((sid, coordinate) in figures for sid in population & world.published):
            assert abs(sum(known) / len(known) - value) <= 2 * TOLERANCE, (label, where, coordinate, value, known)


def check_not_derivable(world: World, got: Received, label: str) -> None:
    """No figure the viewer does not receive is determined by what they receive."""
    figures = got.figures
    subjects = {s.pk for c in world.cases for s in [*world.members[c.pk], world.team_subject[c.pk]]}
    by_coordinate = defaultdict(list)
    for population, coordinate, value, _where in got.aggregates:
        subset = averaged_set(world, population, coordinate, value)
        by_coordinate[coordinate].append({sid: Fraction(1, len(subset)) for sid in subset})
    for coordinate, aggregate_rows in by_coordinate.items():
        rows = [*aggregate_rows, *({sid: Fraction(1)} for (sid, c) in figures if c == coordinate)]
        for sid in subjects:
            if (sid, coordinate) in world.truth and (sid, coordinate) not in figures:
                assert not in_row_space(rows, sid), (label, "derived", sid, coordinate, world.k)


# Each example rates, scores and releases a cycle (about a second): no shrinking, which would run for minutes.
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)
@given(
    seed=st.integers(0, 2**32),
    k=st.integers(2, 4),
    sizes=st.lists(st.tuples(st.integers(2, 5), st.integers(0, 2), st.integers(0, 5)), min_size=2, max_size=2),
)
def test_no_viewer_can_work_out_a_figure_hidden_from_them(seed, k, sizes):
    world = build(seed, k, sizes)
    hr = hr_user()
    outsider = UserFactory()
    viewers = [(hr, True, "HR"), (outsider, False, "outsider")]
    viewers += [(s.person.user, False, f"member {s.pk}") for c in world.cases for s in world.members[c.pk]]
    for viewer, is_hr, label in viewers:
        client = Client()
        client.force_login(viewer)
        check(world, viewer, is_hr, collect(world, viewer, is_hr, client), label)


def test_the_property_catches_an_average_over_a_hidden_member():
    """The property can fail: the average the code stored before, over every member, hidden ones included,
    lets the linear solve find the hidden member's figure."""
    # Four members, k = 3, two subordinates by code. Only a submits: a has no peer and two subordinates (hidden);
    # b, c and d each have a as a peer and the two subordinates (shown).
    cycle, case, (a, b, c, d), _, codes = open_case(members=4, superiors=0, codes=2, min_group_size=3)
    fill(assignment=assignment_of(case, a), scores={a: 9, b: 7, c: 8, d: 6, "team": 8})
    for i, code in enumerate(codes):
        fill(code=code, scores={a: 5 + i, b: 6, c: 7 + i, d: 8, "team": 7})
    cycle_score(cycle=close(cycle))
    world = world_of(cycle, [case])
    team = frozenset(s.pk for s in world.members[case.pk])
    hidden = [sid for sid in team if sid not in world.published]
    shown = [sid for sid in team if sid in world.published]
    assert len(hidden) == 1 and len(shown) == 3
    received = Received()
    for sid in shown:
        received.figure(sid, ("total",), world.truth[(sid, ("total",))], "HR")
    every = [world.truth[(sid, ("total",))] for sid in team if (sid, ("total",)) in world.truth]
    received.aggregate(team, ("total",), round(sum(every) / len(every), 2), "the old stored average")
    with pytest.raises(AssertionError, match="the old stored average"):
        check_recomputed(world, received, "HR")
    with pytest.raises(AssertionError, match="derived"):
        check_not_derivable(world, received, "HR")
