"""The PDFs themselves: what a reader finds in them, fonts embedded, user text printed literally, and a
picture of each first page in tests/reports/artifacts/ to look at."""

import io
import shutil
import statistics
import subprocess
import time
from pathlib import Path

import pypdf
import pytest

from reports import rendering
from reports.rendering import engine
from reports.report_data import cycle_summary_data, member_report_data, team_report_data
from tests.reports.factories import plant_team, scored_cycle, subject_of

pytestmark = pytest.mark.django_db

SEATS_2 = [("赵德胜", "矿长", True), ("孙丽娟", "党委书记", False), ("周国平", "副矿长", False)]
SEATS_3 = [("吴海涛", "大队长", True), ("郑春梅", "党总支书记", False), ("冯立新", "副大队长", False)]

ARTIFACTS = Path(__file__).parent / "artifacts"
TYPST_COMMENT = "注意 #let x = 1 $a^2$ [链接] <标签> @引用 *加粗* _斜_ `码` \\ 结束"
COMMENTS = [
    "工作思路清晰，抓落实的力度大，能够带领班子完成全年原油生产任务。",
    TYPST_COMMENT,
    "深入基层调研较多，关心职工生活，建议在创新管理方面进一步加强。",
    "廉洁自律意识强，作风扎实，对安全环保工作要求严格。",
]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def save_first_page(pdf: bytes, name: str) -> Path | None:
    """Page 1 as a PNG, to look at: the layout is part of what is tested, by a person."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm") is None:
        return None
    prefix = ARTIFACTS / name
    subprocess.run(  # noqa: S603 - our own file, a fixed tool
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(ARTIFACTS / f"{name}.pdf"), prefix],  # noqa: S607
        check=True,
    )
    return prefix.with_suffix(".png")


@pytest.fixture
def plant():
    """采油一矿's team, assessed in 2024 and 2025 (with two more teams); every rater group meets k = 3."""
    team, people = plant_team()
    scored_cycle(team=team, people=people, year=2024, lift=-1)
    others = [plant_team("采油二矿", SEATS_2), plant_team("作业大队", SEATS_3)]
    cycle, case = scored_cycle(
        team=team, people=people, year=2025, comments=COMMENTS, votes={0: "excellent", 3: "basic"}, others=others
    )
    return cycle, case, people


def test_a_member_report_names_the_leader_and_gives_every_figure(plant):
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[0]))
    rendered = rendering.render("member", data)
    text = text_of(rendered.pdf)
    save_first_page(rendered.pdf, "member")

    assert rendered.pdf.startswith(b"%PDF-")
    assert "王建国" in text
    assert "采油一矿" in text
    assert "矿长" in text
    assert data["total"] in text
    assert data["grade_label"] and data["grade_label"] in text
    for dimension in data["dimensions"]:
        assert dimension["name"] in text
        assert dimension["score"] in text
    assert "第 1 页 / 共 2 页" in text
    assert "2024 年度" in text and data["previous"]["total"] in text


def test_the_page_count_is_the_pdfs(plant):
    _, case, people = plant
    rendered = rendering.render("member", member_report_data(subject=subject_of(case, people[0])))
    assert rendered.pages == len(pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages) == 2


def test_a_comment_in_typst_syntax_prints_literally(plant):
    _, case, people = plant
    rendered = rendering.render("member", member_report_data(subject=subject_of(case, people[0])))
    assert TYPST_COMMENT in text_of(rendered.pdf)


def test_every_font_is_embedded_and_none_is_type3(plant):
    _, case, people = plant
    rendered = rendering.render("member", member_report_data(subject=subject_of(case, people[0])))
    fonts = list(_fonts(pypdf.PdfReader(io.BytesIO(rendered.pdf))))
    assert fonts
    for font in fonts:
        assert font["/Subtype"] != "/Type3"
        descriptor = _descriptor(font)
        assert any(key in descriptor for key in ("/FontFile2", "/FontFile3")), font.get("/BaseFont")
    assert any("NotoSansCJK" in str(font.get("/BaseFont")) for font in fonts)


def _fonts(reader: pypdf.PdfReader):
    seen = set()
    for page in reader.pages:
        for _, ref in (page["/Resources"].get("/Font") or {}).items():
            font = ref.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                yield font
        # Fonts of the SVG chart live in its form XObject's own resources.
        for _, ref in (page["/Resources"].get("/XObject") or {}).items():
            yield from _xobject_fonts(ref.get_object(), seen)


def _xobject_fonts(xobject, seen):
    resources = xobject.get("/Resources")
    if not resources:
        return
    resources = resources.get_object()
    for _, ref in (resources.get("/Font") or {}).items():
        font = ref.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            yield font
    for _, ref in (resources.get("/XObject") or {}).items():
        yield from _xobject_fonts(ref.get_object(), seen)


def _descriptor(font) -> dict:
    if font["/Subtype"] == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    return font["/FontDescriptor"].get_object()


def test_a_team_report_lists_every_member_with_turnout(plant):
    _, case, _ = plant
    data = team_report_data(case=case)
    rendered = rendering.render("team", data)
    text = text_of(rendered.pdf)
    save_first_page(rendered.pdf, "team")
    assert "采油一矿领导班子" in text
    for member in data["members"]:
        assert member["name"] in text
        assert member["total"] in text
    assert f"{data['turnout']['percent']}%" in text


def test_the_reports_of_a_panel_preset_cycle_name_its_own_groups():
    """A cycle made with the "panel" preset: 分管领导, 考核组 and 职工代表, never 上级 / 同级 / 下级."""
    team, people = plant_team()
    _, case = scored_cycle(team=team, people=people, groups="panel", panel=3)
    member = member_report_data(subject=subject_of(case, people[0]))
    rendered = rendering.render("member", member)
    text = text_of(rendered.pdf)
    save_first_page(rendered.pdf, "member-panel")
    for name in ("分管领导", "考核组", "职工代表", "自评"):
        assert name in text
    compact = "".join(text.split())  # the extraction puts spaces between Chinese and digits
    assert "分管领导3人（权重20.0%）；考核组3人（权重40.0%）；职工代表5人（权重40.0%）" in compact
    assert not any(word in text for word in ("上级", "同级", "下级"))

    team_data = team_report_data(case=case)
    text = text_of(rendering.render("team", team_data).pdf)
    assert [g["label"] for g in team_data["turnout"]["by_group"]] == ["分管领导", "考核组", "职工代表", "自评"]
    for name in ("分管领导", "考核组", "职工代表"):
        assert name in text
    assert not any(word in text for word in ("上级", "同级", "下级"))


def test_a_group_beside_the_total_is_named_apart_from_the_weights(plant):
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[0]))
    # As a group HR added beside the total (服务对象, not counted) would come out of the data.
    data["groups"].append(
        {"code": "clients", "label": "服务对象", "counted": False, "n": 4, "score": "77.00", "weight": None}
    )
    for row in data["dimensions"]:
        row["by_group"].append("77.00")
        for indicator in row["indicators"]:
            indicator["by_group"].append(None)
    text = "".join(text_of(rendering.render("member", data).pdf).split())
    assert "另列（不计入综合得分）：服务对象4人" in text
    assert "服务对象4人（权重" not in text


def test_a_cycle_summary_lists_every_team(plant):
    cycle, _, _ = plant
    data = cycle_summary_data(cycle=cycle)
    rendered = rendering.render("cycle", data)
    text = text_of(rendered.pdf)
    save_first_page(rendered.pdf, "cycle")
    assert "采油一矿领导班子" in text
    assert data["overall"]["average"] in text


def test_missing_fonts_fail_with_a_clear_message(plant, monkeypatch):
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[0]))
    monkeypatch.setattr(engine, "FONT_FAMILIES", ("Noto Sans CJK Nowhere",))
    with pytest.raises(rendering.FontsMissing, match="fonts-noto-cjk"):
        rendering.render("member", data)
    with pytest.raises(rendering.FontsMissing):
        rendering.warm()


def test_a_worker_started_before_the_fonts_were_installed_finds_them_without_a_restart(plant, monkeypatch, tmp_path):
    """Issue 13: the fonts installed while the worker runs; its next report renders, in the same process."""
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[0]))
    installed = sorted(Path("/usr/share/fonts").glob("**/Noto*CJK*"))
    if not installed:
        pytest.skip("needs fonts-noto-cjk on this machine, to install them into a folder of the test's")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    # A worker process on a machine without the fonts: no system fonts, an empty font folder.
    monkeypatch.setattr(engine, "SYSTEM_FONTS", False)
    monkeypatch.setattr(engine, "FONT_DIRS", (str(fonts),))
    monkeypatch.setattr(engine, "_engine", None)
    with pytest.raises(rendering.FontsMissing, match="fonts-noto-cjk"):
        rendering.render("member", data)
    for path in installed:  # apt-get install fonts-noto-cjk, while the worker runs
        (fonts / path.name).symlink_to(path)
    rendered = rendering.render("member", data)
    assert rendered.pages >= 1 and "采油一矿领导班子" in text_of(rendered.pdf)


def test_a_template_that_fails_raises_typsts_message():
    # Data without the fields the template reads: Typst's own error, with where it happened.
    with pytest.raises(rendering.RenderError, match="person") as failure:
        rendering.render("member", {"kind": "member"})
    assert "member.typ" in str(failure.value)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="poster"):
        rendering.render("poster", {})


def test_render_time_warm(plant, capsys):
    """Not a benchmark (bench/reports.py is): prints the warm median so a regression shows in the log."""
    _, case, people = plant
    data = member_report_data(subject=subject_of(case, people[0]))
    rendering.warm()
    rendering.render("member", data)
    times = []
    for _ in range(50):
        start = time.perf_counter()
        rendering.render("member", data)
        times.append(time.perf_counter() - start)
    with capsys.disabled():
        print(f"\nrender('member') warm: median {statistics.median(times) * 1000:.1f} ms over 50")


@pytest.mark.django_db
def test_a_member_report_shows_last_cycles_plan_and_how_its_indicators_moved():
    from tests.followup.plan_helpers import case_with_weak_leader, hr_user, next_year, plan_to
    from tests.followup.plan_helpers import subject_of as place_of

    _, case, (a, *_) = case_with_weak_leader()
    plan_to("verified", case, a, hr_user())
    _, case2 = next_year(case)
    data = member_report_data(subject=place_of(case2, a))
    plan = data["last_plan"]
    assert plan["status_label"] == "已核验" and (plan["done"], plan["total"], plan["progress"]) == (3, 3, 100)
    study = next(t for t in plan["targets"] if t["name"] == "政治理论学习")
    assert (study["before"], study["now"], study["change"]) == ("50.00", "80.00", "+30.00")
    rendered = rendering.render("member", data)
    text = text_of(rendered.pdf)
    save_first_page(rendered.pdf, "member-with-last-plan")
    assert "上一周期提升计划落实情况" in text and "已核验" in text and "+30.00" in text
    assert rendered.pages <= 2
