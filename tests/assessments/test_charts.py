"""The server-drawn radar chart."""

import xml.etree.ElementTree as ET

from assessments.charts import Series, radar_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def draw(values):
    return radar_svg(
        axes=["理论素养", "专业能力", "责任意识"],
        series=[Series("本人", values, "#b4231f"), Series("班子平均", [70, 70, 70], "#0969da", dashed=True)],
        title="各维度得分",
    )


def test_it_draws_a_valid_svg_with_a_title_axes_and_a_legend():
    root = ET.fromstring(draw([90, 80, 70]))
    assert root.find("svg:title", NS).text == "各维度得分"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    # Axis labels outside the rim first, the rings' numbers drawn over every line, then the legend with the values.
    assert texts == [
        "理论素养",
        "专业能力",
        "责任意识",
        "60",
        "70",
        "80",
        "90",
        "本人  90.00 / 80.00 / 70.00",
        "班子平均  70.00 / 70.00 / 70.00",
    ]


def test_the_series_differ_in_marker_and_pattern_and_the_description_reads_every_figure():
    svg = radar_svg(
        axes=["理论素养", "专业能力", "责任意识"],
        series=[
            Series("本人", [90, 80, None], "#b4231f"),
            Series("班子平均", [70, 71, 72], "#0969da", dashed=True),
            Series("全体平均", [70, 70.5, 72], "#57606a", dashed=True),
        ],
        title="各维度得分",
    )
    root = ET.fromstring(svg)
    assert len(root.findall("svg:circle", NS)) == 2 + 1  # my two figures and my legend entry; no point for None
    assert len(root.findall("svg:rect", NS)) == 3 + 1
    dashes = {p.get("stroke-dasharray") for p in root.findall("svg:polygon", NS) if p.find("svg:title", NS) is not None}
    assert dashes == {None, "7 4", "2 3"}
    description = root.find("svg:desc", NS).text
    assert "本人: 理论素养 90.00, 专业能力 80.00, 责任意识 —" in description
    assert "全体平均: 理论素养 70.00, 专业能力 70.50, 责任意识 72.00" in description


def test_a_full_score_reaches_the_outer_ring_and_the_floor_sits_at_the_centre():
    root = ET.fromstring(draw([100, 50, 100]))
    polygons = root.findall("svg:polygon", NS)
    outer_ring, mine = polygons[4], polygons[5]
    ring_points = outer_ring.get("points").split()
    my_points = mine.get("points").split()
    assert my_points[0] == ring_points[0] and my_points[2] == ring_points[2]
    assert my_points[1] == "160.0,160.0"


def test_labels_are_escaped():
    assert "&lt;script&gt;" in radar_svg(axes=["<script>", "b", "c"], series=[], title="t")
