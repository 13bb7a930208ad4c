"""A cycle's rater groups are rows: presets, changes while a draft, the rules the database holds, and groups of
every kind (named per team, a panel, anonymous codes, counted or shown beside) scored end to end."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from assessments.errors import AssessmentError
from assessments.models import Assignment, Cycle, CycleRaterGroup, SubjectResult
from assessments.selectors import subject_result_for, turnout_for_case
from assessments.services import (
    case_create,
    cycle_create,
    cycle_open,
    cycle_score,
    panel_set,
    rater_groups_set,
)
from assessments.services.groups import group_row
from tests.assessments.factories import CycleFactory, PersonFactory, UserFactory, default_framework, team_with_members
from tests.assessments.helpers import assignment_of, close, fill

pytestmark = pytest.mark.django_db


def _rows(cycle: Cycle) -> list[dict]:
    return [group_row(g) for g in cycle.rater_groups.order_by("order")]


def _state(cycle: Cycle) -> list[tuple]:
    return list(cycle.rater_groups.order_by("order").values_list("code", "weight", "counted", "source", "name_zh"))


def test_a_new_cycle_has_the_groups_every_cycle_had_before():
    cycle = cycle_create(framework=default_framework(), name="2027年度考评", year=2027)
    assert _state(cycle) == [
        ("superior", Decimal(30), True, "named", "上级"),
        ("peer", Decimal(30), True, "members", "同级"),
        ("subordinate", Decimal(40), True, "codes", "下级（职工代表）"),
        ("self", Decimal(0), False, "self", "自评"),
    ]
    assert cycle.weights == {"superior": 30, "peer": 30, "subordinate": 40}


def test_the_panel_preset_weighs_a_panel_and_leaves_peers_out():
    cycle = cycle_create(framework=default_framework(), name="2027年度考评", year=2027, preset="panel")
    assert [(c, w, s, n) for c, w, _, s, n in _state(cycle)] == [
        ("leader", 20, "named", "分管领导"),
        ("panel", 40, "panel", "考核组"),
        ("staff", 40, "codes", "职工代表"),
        ("self", 0, "self", "自评"),
    ]


def test_an_unknown_preset_is_refused_and_creates_nothing():
    with pytest.raises(AssessmentError, match="Unknown rater-group preset"):
        cycle_create(framework=default_framework(), name="x", year=2027, preset="nope")
    assert not Cycle.objects.exists()


def test_hr_adds_a_group_to_a_draft_and_the_weights_must_still_add_up():
    cycle = CycleFactory()
    rows = _rows(cycle)
    rows[2]["weight"] = Decimal(30)
    rows.append({"code": "clients", "name_zh": "服务对象", "name_en": "Clients", "source": "codes", "weight": 10})
    rater_groups_set(cycle=cycle, groups=rows, actor=UserFactory())
    assert [c for c, *_ in _state(cycle)] == ["superior", "peer", "subordinate", "self", "clients"]
    assert Cycle.objects.get(pk=cycle.pk).weights["clients"] == 10
    assert cycle.events.filter(action="updated").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[0].update(weight=Decimal("29.99")), "add up to 100"),
        (lambda rows: rows[1].update(code="superior"), "own code"),
        (lambda rows: rows[1].update(code="Peer!"), "lower-case"),
        (lambda rows: rows[3].update(counted=True), "never counted"),
        (lambda rows: rows[0].update(counted=False), "weighs 0"),
        (lambda rows: rows[0].update(source="self"), "code “self”"),
        (
            lambda rows: rows.append({**rows[1], "id": None, "code": "peer2", "weight": 0, "counted": False}),
            "at most one",
        ),
        (lambda rows: rows[0].update(weight="abc"), "number"),
        (lambda rows: rows[0].update(colour="red"), "Unknown rater-group fields"),
        (lambda rows: rows[0].update(id=999999), "no rater group"),
        (lambda rows: rows.clear(), "between 1 and"),
    ],
)
def test_a_bad_set_of_groups_is_refused_and_changes_nothing(change, message):
    cycle = CycleFactory()
    before = _state(cycle)
    rows = _rows(cycle)
    change(rows)
    with pytest.raises(AssessmentError, match=message):
        rater_groups_set(cycle=cycle, groups=rows)
    assert _state(cycle) == before


def test_codes_may_swap_between_groups_in_one_change():
    cycle = CycleFactory()
    rows = _rows(cycle)
    rows[0]["code"], rows[1]["code"] = "peer", "superior"
    rater_groups_set(cycle=cycle, groups=rows)
    assert [(c, s) for c, _, _, s, _ in _state(cycle)][:2] == [("peer", "named"), ("superior", "members")]


def test_kinds_may_swap_between_groups_in_one_change():
    cycle = CycleFactory()
    rows = _rows(cycle)
    rows[0]["source"], rows[1]["source"] = "members", "named"
    rater_groups_set(cycle=cycle, groups=rows)
    assert [(c, s) for c, _, _, s, _ in _state(cycle)][:2] == [("superior", "members"), ("peer", "named")]


def test_an_open_cycles_groups_are_fixed_in_the_service_and_in_the_database():
    cycle = CycleFactory(status=Cycle.Status.OPEN)
    rows = _rows(cycle)
    with pytest.raises(AssessmentError, match="fixed once the cycle opens"):
        rater_groups_set(cycle=cycle, groups=rows)
    group = cycle.rater_groups.get(code="peer")
    with pytest.raises(IntegrityError), transaction.atomic():
        CycleRaterGroup.objects.filter(pk=group.pk).update(weight=Decimal(50))
    with pytest.raises(IntegrityError), transaction.atomic():
        CycleRaterGroup.objects.create(cycle=cycle, code="extra", name_zh="额外", source="codes", weight=1)
    assert cycle.rater_groups.get(code="peer").weight == 30


def test_the_database_refuses_to_open_a_cycle_whose_weights_do_not_add_up():
    cycle = CycleFactory(groups__peer=Decimal(10))  # 30 + 10 + 40: written past the service
    team, _ = team_with_members(2)
    case_create(cycle=cycle, team=team)
    with pytest.raises(AssessmentError, match="add up to 100"):
        cycle_open(cycle=cycle)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.OPEN)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.DRAFT


def test_named_raters_and_codes_go_to_the_groups_they_name():
    cycle = CycleFactory()
    rows = _rows(cycle)
    rows[2]["weight"] = Decimal(30)
    rows.append({"code": "clients", "name_zh": "服务对象", "name_en": "Clients", "source": "codes", "weight": 10})
    rater_groups_set(cycle=cycle, groups=rows)
    team, _members = team_with_members(2)
    boss = PersonFactory()
    case = case_create(cycle=cycle, team=team, raters={"superior": [boss]}, codes={"subordinate": 3, "clients": 2})
    issued = cycle_open(cycle=cycle)[case.pk]
    assert len(issued) == 5
    assert sorted(case.codes.values_list("rater_group", flat=True)) == ["clients"] * 2 + ["subordinate"] * 3
    assert assignment_of(case, boss).rater_group == "superior"
    turnout = turnout_for_case(case=case)
    assert {g: n["issued"] for g, n in turnout.by_group.items()} == {
        "superior": 1,
        "peer": 2,
        "subordinate": 3,
        "clients": 2,
    }


@pytest.mark.parametrize(
    ("raters", "codes", "message"),
    [
        ({"peer": []}, {}, "names per team"),
        ({"nope": []}, {}, "names per team"),
        ({}, {"superior": 2}, "no anonymous group"),
        ({}, {"subordinate": -1}, "cannot be negative"),
        ({}, {"subordinate": "3"}, "cannot be negative"),
    ],
)
def test_raters_and_codes_for_a_group_the_cycle_lacks_are_refused(raters, codes, message):
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    with pytest.raises(AssessmentError, match=message):
        case_create(cycle=cycle, team=team, raters=raters, codes=codes)
    assert not cycle.cases.exists()


def test_a_panel_rates_every_team_it_does_not_sit_on():
    cycle = CycleFactory(groups="panel")
    (team_a, people_a), (team_b, _) = team_with_members(3), team_with_members(3)
    outsider = PersonFactory()
    panel = cycle.rater_groups.get(source="panel")
    panel_set(group=panel, people=[outsider, people_a[0]])
    case_a = case_create(cycle=cycle, team=team_a, codes={"staff": 1})
    case_b = case_create(cycle=cycle, team=team_b)
    cycle_open(cycle=cycle)
    assert set(Assignment.objects.filter(rater_group="panel").values_list("case", "rater")) == {
        (case_a.pk, outsider.pk),
        (case_b.pk, outsider.pk),
        (case_b.pk, people_a[0].pk),
    }
    # With no members' group, a member's sheet holds only their own section and the team's: the self-evaluation.
    own = assignment_of(case_a, people_a[1])
    assert own.rater_group == "self"
    from assessments.services import sheet_for

    sheet = sheet_for(assignment=own)
    assert {s.rater_group for s in sheet.sections} == {"self"}
    assert len(sheet.sections) == 2


def test_a_panel_is_only_named_for_a_panel_group_of_a_draft():
    cycle = CycleFactory(groups="panel")
    with pytest.raises(AssessmentError, match="Only a panel group"):
        panel_set(group=cycle.rater_groups.get(code="leader"), people=[PersonFactory()])


def test_every_kind_of_group_is_scored_with_its_weight_and_a_group_beside_is_shown_not_counted():
    """分管领导 20 (named), 考核组 40 (panel), 职工代表 40 (codes), and 中层干部 (codes, not counted, k 2) beside."""
    cycle = CycleFactory(groups="panel", min_group_size=1)
    rows = _rows(cycle)
    rows.append(
        {
            "code": "middle",
            "name_zh": "中层干部",
            "name_en": "Middle managers",
            "source": "codes",
            "weight": 0,
            "counted": False,
            "min_size": 2,
        }
    )
    rater_groups_set(cycle=cycle, groups=rows)
    team, (a, b) = team_with_members(2)
    leader, judge = PersonFactory(), PersonFactory()
    panel_set(group=cycle.rater_groups.get(code="panel"), people=[judge])
    case = case_create(cycle=cycle, team=team, raters={"leader": [leader]}, codes={"staff": 2, "middle": 2})
    codes = cycle_open(cycle=cycle)[case.pk]
    fill(assignment=assignment_of(case, leader), scores={a: 10, b: 6, "team": 8})  # a: 100
    fill(assignment=assignment_of(case, judge), scores={a: 8, b: 6, "team": 8})  # a: 80
    staff = list(case.codes.filter(rater_group="staff").values_list("pk", flat=True))
    from assessments.models import BallotCode
    from assessments.services.codes import code_resolve

    for code in codes:
        group = code_resolve(code=code).rater_group
        fill(code=code, scores={a: 6 if group == "staff" else 2, b: 6, "team": 7})  # staff a: 60, middle a: 20
    for person in (a, b):
        fill(assignment=assignment_of(case, person), scores={a: 9, b: 8, "team": 7})
    cycle_score(cycle=close(cycle))
    result = SubjectResult.objects.get(subject__person=a)
    # 0.2 × 100 + 0.4 × 80 + 0.4 × 60 = 76; 中层干部 (20) and the self-evaluation (90) are beside, not in it.
    assert result.total == Decimal("76.00")
    assert result.groups["middle"]["score"] == 20.0 and result.groups["middle"]["counted"] is False
    assert result.groups["self"]["score"] == 90.0
    assert result.counted_raters == 4  # 1 leader + 1 panel + 2 staff
    assert set(result.weights_used) == {"leader", "panel", "staff"}
    assert len(staff) == 2 and BallotCode.objects.filter(case=case, rater_group="middle").count() == 2
    visible = subject_result_for(viewer=UserFactory(is_superuser=True), subject=result.subject)
    assert "middle" in visible.groups  # two ballots, its own k of 2
