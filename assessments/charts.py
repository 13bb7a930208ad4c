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


# Dash patterns by series order (the first, "me", is solid): the averages differ in pattern, not only in colour.
DASHES = ("", "7 4", "2 3")


def _figure(value: float | None) -> str:
    """A score as every page and report prints it: two decimals; a withheld figure is a dash."""
    return "—" if value is None else f"{value:.2f}"


def _marker(order: int, x: float, y: float, colour: str) -> str:
    """A dot, a square or a triangle by series order."""
    if order % 3 == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
    if order % 3 == 1:
        return (
            f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="#fff" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
    return (
        f'<polygon points="{x:.1f},{y - 4.5:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}" '
        f'fill="#fff" stroke="{colour}" stroke-width="2"/>'
    )


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

    def point(i: float, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (max(floor, min(100.0, value)) - floor) / (100 - floor)
        return centre + r * math.cos(angle), centre + r * math.sin(angle)

    def polygon(values: list[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    label_bottom = max(point(i, 100 + (100 - floor) * 0.2)[1] for i in range(n)) + 5
    legend_top = label_bottom + 28
    height = legend_top + 20 * len(series)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    # What the chart shows, as text for a screen reader: every series' figure on every axis.
    description = "; ".join(
        f"{s.label}: " + ", ".join(f"{axis} {_figure(v)}" for axis, v in zip(axes, s.values, strict=False))
        for s in series
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-pad} 0 {size + 2 * pad} {height:.0f}" '
        f'role="img" aria-labelledby="{escape(title_id)}" aria-describedby="{escape(desc_id)}" class="radar">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
    ]
    for i, label in enumerate(axes):
        x, y = point(i, 100)
        parts.append(f'<line x1="{centre}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>')
        # Outside the rim, clear of every shape: a label never sits under the data.
        lx, ly = point(i, 100 + (100 - floor) * 0.2)
        anchor = "middle" if abs(lx - centre) < 5 else ("start" if lx > centre else "end")
        text = f'<text x="{lx:.1f}" y="{ly + 5:.1f}" text-anchor="{anchor}" font-size="13">'
        parts.append(f"{text}{escape(label)}</text>")
    for ring in range(floor + 10, 101, 10):
        parts.append(f'<polygon points="{polygon([ring] * n)}" fill="none" stroke="#d0d7de" stroke-width="1"/>')
    for order, s in enumerate(series):
        values = [v if v is not None else floor for v in s.values]
        dash = f' stroke-dasharray="{DASHES[order % len(DASHES)]}"' if s.dashed else ""
        parts.append(
            f'<polygon points="{polygon(values)}" fill="{s.colour}" fill-opacity="{0.12 if order == 0 else 0.04}" '
            f'stroke="{s.colour}" stroke-width="2"{dash}><title>{escape(s.label)}</title></polygon>'
        )
        # A marker of its own at each point, so the series stay apart where their lines nearly meet, and in grey.
        parts.extend(_marker(order, *point(i, v), s.colour) for i, v in enumerate(s.values) if v is not None)
    for ring in range(floor + 10, 100, 10):
        # The rings' numbers last, on a white halo, so no line runs over them (the rim's would meet a label), and
        # half-way between the first two axes, away from the points where every series has its marker.
        x, y = point(0.5, ring)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y - 3:.1f}" font-size="10" fill="#57606a" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{ring}</text>'
        )
    for row, s in enumerate(series):
        y = legend_top + 20 * row
        dash = f' stroke-dasharray="{DASHES[row % len(DASHES)]}"' if s.dashed else ""
        parts.append(
            f'<line x1="-40" y1="{y - 4:.0f}" x2="-10" y2="{y - 4:.0f}" stroke="{s.colour}" stroke-width="3"{dash}/>'
        )
        parts.append(_marker(row, -25, y - 4, s.colour))
        figures = " / ".join(_figure(v) for v in s.values)
        parts.append(f'<text x="0" y="{y:.0f}" font-size="13">{escape(s.label)}  {figures}</text>')
    parts.append("</svg>")
    return "".join(parts)
