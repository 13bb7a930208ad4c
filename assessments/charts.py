"""Charts drawn on the server as SVG: no JavaScript, and the same drawing serves the PDF reports."""

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]  # one per axis, 0–100; None is drawn at the centre
    colour: str
    dashed: bool = False


def radar_svg(
    *, axes: list[str], series: list[Series], title: str, size: int = 320, floor: int = 50, chart_id: str = "radar"
) -> str:
    """A radar (spider) chart from `floor` (the centre) to 100 (the rim), with a ring every 10 points.
    Assessment scores sit between 60 and 95: from zero, every shape would crowd the rim.
    `chart_id` keeps the title's id unique when a page holds several charts."""
    # A series with no figure (an average withheld so as not to give a colleague away) is left out, not drawn
    # as a point at the centre that would read as the lowest score.
    series = [s for s in series if any(v is not None for v in s.values)]
    centre, radius = size / 2, size / 2 - 40
    n = len(axes)
    # Axis labels run sideways past the square ("Professional ability"): widen the canvas to hold them.
    pad = 80

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (max(floor, min(100.0, value)) - floor) / (100 - floor)
        return centre + r * math.cos(angle), centre + r * math.sin(angle)

    def polygon(values: list[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    label_bottom = max(point(i, 100 + (100 - floor) * 0.2)[1] for i in range(n)) + 5
    legend_top = label_bottom + 28
    height = legend_top + 20 * len(series)
    title_id = f"{chart_id}-title"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-pad} 0 {size + 2 * pad} {height:.0f}" '
        f'role="img" aria-labelledby="{escape(title_id)}" class="radar">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
    ]
    for ring in range(floor + 10, 101, 10):
        parts.append(f'<polygon points="{polygon([ring] * n)}" fill="none" stroke="#d0d7de" stroke-width="1"/>')
        if ring == 100:
            continue  # the rim's label would sit on the first axis label
        x, y = point(0, ring)
        # Beside the first axis, on a white halo, so the ring's number does not sit on the lines.
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y - 3:.1f}" font-size="10" fill="#57606a" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{ring}</text>'
        )
    for i, label in enumerate(axes):
        x, y = point(i, 100)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>')
        lx, ly = point(i, 100 + (100 - floor) * 0.2)
        anchor = "middle" if abs(lx - centre) < 5 else ("start" if lx > centre else "end")
        text = f'<text x="{lx:.1f}" y="{ly + 5:.1f}" text-anchor="{anchor}" font-size="13">'
        parts.append(f"{text}{escape(label)}</text>")
    for s in series:
        values = [v if v is not None else floor for v in s.values]
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        parts.append(
            f'<polygon points="{polygon(values)}" fill="{s.colour}" fill-opacity="0.12" '
            f'stroke="{s.colour}" stroke-width="2"{dash}><title>{escape(s.label)}</title></polygon>'
        )
    for row, s in enumerate(series):
        y = legend_top + 20 * row
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        parts.append(
            f'<line x1="20" y1="{y - 4:.0f}" x2="44" y2="{y - 4:.0f}" stroke="{s.colour}" stroke-width="3"{dash}/>'
        )
        parts.append(f'<text x="52" y="{y:.0f}" font-size="13">{escape(s.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
