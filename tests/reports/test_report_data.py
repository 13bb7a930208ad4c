"""The data behind the PDFs: deterministic JSON, every figure through the k-suppression, bounded queries."""

import io
import json

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import CaseSubject, Cycle, SubjectResult
from reports import rendering
from reports.report_data import ResultMissing, cycle_summary_data, member_report_data, team_report_data
from tests.assessments.api.factories import results
from tests.reports.factories import plant_team, scored_cycle, subject_of

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def plant():
    team, people = plant_team()
    cycle, case = scored_cycle(team=team, people=people, comments=["意见甲", "意见乙", "意见丙"])
    return cycle, case, people


def test_member_data_is_plain_json_and_the_same_every_time(plant):
    _, case, people = plant
    subject = subject_of(case, people[0])
    data = member_report_data(subject=subject)
    assert json.loads(json.dumps(data)) == data
    assert json.dumps(member_report_data(subject=subject), sort_keys=True) == json.dumps(data, sort_keys=True)
    assert data["version"] == SubjectResult.objects.get(subject=subject).version
    assert set(data) == {
        "kind", "version", "cycle", "person", "suppressed_all", "suppressed_groups", "total", "grade",
        "grade_label", "rank_in_team", "team_size", "renormalised", "groups", "dimensions", "radar_svg", "votes",
        "flags", "self_vs_others", "strengths", "weaknesses", "comments", "comments_omitted", "previous",
        "last_plan",
    }  # fmt: skip
    assert data["last_plan"] is None


def test_member_data_gives_the_figures_the_selector_shows(plant):
    _, case, people = plant
    subject = subject_of(case, people[0])
    result = SubjectResult.objects.get(subject=subject)
    data = member_report_data(subject=subject)
    assert data["person"] == {
        "name": "王建国",
        "employee_number": people[0].employee_number,
        "unit": "采油一矿",
        "team": "采油一矿领导班子",
        "position": "矿长",
        "principal": True,
    }
    assert data["total"] == f"{result.total:.2f}"
    assert data["grade_label"] == {"excellent": "优秀", "competent": "称职", "basic": "基本称职"}[result.grade]
    assert [g["code"] for g in data["groups"]] == ["superior", "peer", "subordinate", "self"]
    assert [d["score"] for d in data["dimensions"]] == [f"{result.dimensions[d]:.2f}" for d in result.dimensions]
    assert data["rank_in_team"] == 1 and data["team_size"] == 4
    assert "理论素养" in data["radar_svg"] and 'font-family="Noto Sans CJK SC"' in data["radar_svg"]
    assert sorted(data["comments"]) == ["意见丙", "意见乙", "意见甲"]


def test_strengths_and_weaknesses_are_the_top_and_bottom_three_and_never_both(plant):
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[1]))
    strengths = [float(s["score"]) for s in data["strengths"]]
    weaknesses = [float(s["score"]) for s in data["weaknesses"]]
    everything = [float(i["score"]) for d in data["dimensions"] for i in d["indicators"]]
    assert len(strengths) == len(weaknesses) == 3
    assert strengths == sorted(everything, reverse=True)[:3]
    assert weaknesses == sorted(everything)[:3]
    assert not {s["name"] for s in data["strengths"]} & {s["name"] for s in data["weaknesses"]}


def test_a_group_below_k_is_nowhere_in_the_data_nor_in_the_pdf():
    """One superior, k = 3: the superior group may not be shown, and then neither may the others."""
    team, people = plant_team()
    _, case = scored_cycle(team=team, people=people, superiors=1)
    subject = subject_of(case, people[0])
    result = SubjectResult.objects.get(subject=subject)
    assert result.groups["superior"]["n"] == 1
    # Figures no other cell has, so that finding one in the PDF can only mean the group leaked.
    # The group keeps the rules it was scored under ("counted", "k"): only its figures change.
    hidden = {"n": 1, "void": 0, "score": 61.23, "dimensions": {"theory": 61.11, "professional": 61.22}}
    result.groups["superior"] = {**result.groups["superior"], **hidden}
    result.save(update_fields=["groups"])
    data = member_report_data(subject=subject)

    assert data["suppressed_groups"] and not data["suppressed_all"]
    assert [g["code"] for g in data["groups"]] == ["self"]
    assert "superior" not in json.dumps(data) and "上级" not in json.dumps(data, ensure_ascii=False)
    assert data["strengths"] == data["weaknesses"] == []
    text = text_of(rendering.render("member", data).pdf)
    assert "上级" not in text and "同级" not in text
    assert "61." not in text
    assert data["total"] in text  # the total is still shown: 1 + 3 + 5 raters in all


def test_with_fewer_than_k_raters_in_all_nothing_but_the_name_is_shown():
    team, people = plant_team(seats=[("甲", "经理", True), ("乙", "副经理", False), ("丙", "副经理", False)])
    _, case = scored_cycle(team=team, people=people, superiors=0, codes=0, comments=["不该出现"])
    data = member_report_data(subject=subject_of(case, people[0]))
    assert data["suppressed_all"]
    assert data["total"] is None and data["grade_label"] == "" and data["rank_in_team"] is None
    assert data["radar_svg"] is None and data["votes"] is None and data["comments"] == []
    text = text_of(rendering.render("member", data).pdf)
    assert "甲" in text and "不显示得分" in text


def test_last_cycles_figures_come_from_the_latest_earlier_released_cycle():
    team, people = plant_team()
    earlier, _ = scored_cycle(team=team, people=people, year=2023, lift=-2)
    last, _ = scored_cycle(team=team, people=people, year=2024, lift=-1)
    scored_cycle(team=team, people=people, year=2024, release=False)  # scored, never released: not shown
    _, case = scored_cycle(team=team, people=people, year=2025)
    data = member_report_data(subject=subject_of(case, people[0]))
    before = SubjectResult.objects.get(cycle=last, subject__person=people[0])
    assert data["previous"]["cycle"]["name"] == last.name
    assert data["previous"]["total"] == f"{before.total:.2f}"
    assert data["previous"]["change"] == f"{float(data['total']) - float(before.total):+.2f}"
    assert [d["score"] for d in data["previous"]["dimensions"]] == [f"{v:.2f}" for v in before.dimensions.values()]
    first = member_report_data(subject=CaseSubject.objects.get(case__cycle=earlier, person=people[0]))
    assert first["previous"] is None


def test_no_result_and_the_team_section_are_refused(plant):
    _, case, _ = plant
    with pytest.raises(ValueError, match="team member"):
        member_report_data(subject=case.subjects.get(kind=CaseSubject.Kind.TEAM))
    team, people = plant_team("未评分矿")
    _, unscored = scored_cycle(team=team, people=people, release=False)
    SubjectResult.objects.filter(case=unscored).delete()
    with pytest.raises(ResultMissing):
        member_report_data(subject=subject_of(unscored, people[0]))


def test_team_data_lists_members_in_seat_order_with_turnout(plant):
    _, case, _ = plant
    data = team_report_data(case=case)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"kind", "version", "cycle", "team", "aggregate", "team_section", "members", "turnout", "flags"}
    assert [m["name"] for m in data["members"]] == ["王建国", "李明华", "陈志强", "刘晓燕"]
    assert [m["rank"] for m in data["members"]] == [1, 2, 3, 4]
    assert data["turnout"]["issued"] == data["turnout"]["submitted"] == 12  # 4 members, 3 superiors, 5 codes
    assert data["turnout"]["quorum_met"] and data["flags"]["below_quorum"] is False
    assert sum(g["n"] for g in data["aggregate"]["grade_counts"]) == 4
    totals = [float(m["total"]) for m in data["members"]]
    assert data["aggregate"]["member_average"] == f"{sum(totals) / 4:.2f}"


def test_a_hidden_member_counts_in_no_team_average():
    """Two peers each and no one else: every member is below k; the team report shows no figure at all."""
    team, people = plant_team(seats=[("甲", "经理", True), ("乙", "副经理", False), ("丙", "副经理", False)])
    _, case = scored_cycle(team=team, people=people, superiors=0, codes=0)
    data = team_report_data(case=case)
    assert all(m["suppressed"] and m["total"] is None for m in data["members"])
    assert data["aggregate"]["member_average"] is None
    assert data["aggregate"]["shown"] == 0
    assert all(g["n"] == 0 for g in data["aggregate"]["grade_counts"])
    rendering.render("team", data)


def test_cycle_data_has_a_row_per_team_and_the_whole_cycles_distribution(plant):
    cycle, case, _ = plant
    data = cycle_summary_data(cycle=cycle)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"kind", "version", "cycle", "overall", "grade_labels", "teams", "outliers"}
    assert [t["name"] for t in data["teams"]] == ["采油一矿领导班子"]
    assert data["overall"]["members"] == 4
    assert sum(g["n"] for g in data["overall"]["grade_counts"]) == 4
    assert data["teams"][0]["average"] == team_report_data(case=case)["aggregate"]["member_average"]


def test_cycle_data_reads_a_bounded_number_of_queries_whatever_the_teams():
    def queries(teams: int) -> int:
        cycle = results(teams * 5)[0].cycle
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.RELEASED)
        with CaptureQueriesContext(connection) as captured:
            data = cycle_summary_data(cycle=cycle, chunk_size=7)
        assert len(data["teams"]) == teams
        return len(captured)

    assert queries(2) == queries(6)


def test_a_long_member_report_stays_on_two_pages(plant):
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[0]))
    data["comments"] = ["工作扎实，" * 24] * 10  # as many and as long as the selector lets through
    data["flags"] = [{"code": "removal_review", "label": "甲" * 30}, {"code": "warning_talk", "label": "乙" * 30}]
    data["previous"] = {
        "cycle": {"name": "2024年度领导班子综合考评", "year": 2024, "k": 3, "quorum": "50"},
        "version": 1,
        "position": "矿长",
        "suppressed_all": False,
        "total": "80.00",
        "grade_label": "称职",
        "change": "+1.00",
        "dimensions": [{"name": d["name"], "score": "80.00", "now": d["score"]} for d in data["dimensions"]],
    }
    data["last_plan"] = {
        "cycle": data["previous"]["cycle"],
        "status": "verified",
        "status_label": "已核验",
        "progress": 100,
        "done": 3,
        "total": 3,
        "targets": [{"name": "政治理论学习", "before": "50.00", "now": "80.00", "change": "+30.00"}] * 3,
    }
    assert rendering.render("member", data).pages <= 2
