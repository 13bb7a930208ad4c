"""The web page's radar chart, made ready for Typst."""

from xml.sax.saxutils import quoteattr

from assessments.charts import Series, radar_svg

from .engine import FONT_FAMILIES

# The web page's palette: a leader who has seen the chart online reads the printed one the same way.
ME, TEAM, CYCLE = "#b4231f", "#0969da", "#57606a"


def report_radar_svg(
    *, axes: list[str], me: list[float | None], team: list[float | None], cycle: list[float | None], chart_id: str
) -> str:
    """The radar (me, team average, cycle average) with Chinese labels, in the report's own font.

    The web chart names no font and lets the browser choose; Typst's SVG renderer would fall back to whichever
    CJK face it finds first (often the Japanese one, whose glyphs differ from the Simplified Chinese ones)."""
    svg = radar_svg(
        axes=axes,
        series=[
            Series("本人", me, ME),
            Series("班子平均", team, TEAM, dashed=True),
            Series("全体平均", cycle, CYCLE, dashed=True),
        ],
        title="各维度得分",
        # Smaller than the web's 320: the labels keep their size and so read larger on paper.
        size=260,
        chart_id=chart_id,
    )
    return svg.replace("<svg ", f"<svg font-family={quoteattr(FONT_FAMILIES[0])} ", 1)
