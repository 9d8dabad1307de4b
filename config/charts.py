"""Charts as plain SVG, drawn on the server: the primitives every app's charts share,
and a line chart of scores over time.

Shared (config-shared: imports no app). The recruiter report's bar chart and cohort
histogram (review/charts.py) and the candidate's progress chart (interview) are built
from these. No JavaScript, no fonts beyond the page's own. Labels come from users and
question authors, so every piece of text is escaped here.

An accessible chart has a ``<title>`` and a ``<desc>`` that ``aria-labelledby`` names
(pass ``ident``), and the page beside it offers the same numbers as a table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "font-family:DejaVu Sans,Helvetica,Arial,sans-serif"
GOOD, FAIR, POOR, NEUTRAL, HIGHLIGHT = "#2f855a", "#b7791f", "#c53030", "#a0aec0", "#2b6cb0"
# Lines of a chart: each at least 3:1 against white (WCAG 1.4.11), and each with its
# own marker and dash so that no series is told apart by colour alone.
SERIES_COLORS = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#2c7a7b")
SERIES_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "circle-open", "square-open")
TEXT, GRID, AXIS = "#4a5568", "#e2e8f0", "#4a5568"


# A chart's title is one bold line at the top; whatever is drawn below it (bars, their
# value labels, legends) starts at PLOT_TOP or lower, so nothing runs into the title.
TITLE_BASELINE = 16
PLOT_TOP = 30


def chart_title(text: str) -> str:
    """The title line of a chart (escaped), drawn above ``PLOT_TOP``."""
    return f'<text x="0" y="{TITLE_BASELINE}" style="font-weight:bold;font-size:13px" fill="#1a202c">{escape(text)}</text>'


def score_color(score: float) -> str:
    return GOOD if score >= 70 else FAIR if score >= 50 else POOR


def short_label(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def svg_document(*, width: int, height: int, title: str, body: Sequence[str], desc: str = "", ident: str = "") -> SafeString:
    """An ``<svg role="img">`` of ``body`` (markup whose text went through ``escape``).

    With ``ident``, its title and description get ids and ``aria-labelledby`` names
    them, so a screen reader announces both.
    """
    labelled = f' aria-labelledby="{ident}-title{f" {ident}-desc" if desc else ""}"' if ident else ""
    title_id = f' id="{ident}-title"' if ident else ""
    description = (
        f'<desc id="{ident}-desc">{escape(desc)}</desc>' if desc and ident else f"<desc>{escape(desc)}</desc>" if desc else ""
    )
    return mark_safe(  # noqa: S308 - every text in body went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="{FONT};font-size:12px"{labelled}>'
        f"<title{title_id}>{escape(title)}</title>{description}" + "".join(body) + "</svg>"
    )


def _marker(shape: str, x: float, y: float, color: str, tip: str) -> str:
    tip_markup = f"<title>{escape(tip)}</title>"
    fill = "#fff" if shape.endswith("-open") else color
    stroke = f'stroke="{color}" stroke-width="2" fill="{fill}"'
    if shape.startswith("square"):
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {stroke}>{tip_markup}</rect>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" {stroke}>{tip_markup}</polygon>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" {stroke}>{tip_markup}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {stroke}>{tip_markup}</circle>'


def _legend(names: Sequence[str], *, left: int, top: int, width: int) -> tuple[list[str], int]:
    """Legend items in rows that wrap at ``width``; the markup and the height it takes."""
    body: list[str] = []
    x, y = left, top
    for i, name in enumerate(names):
        label = short_label(name, 24)
        item_width = 34 + 7 * len(label) + 14
        if x > left and x + item_width > left + width:
            x, y = left, y + 18
        color, dash = SERIES_COLORS[i % len(SERIES_COLORS)], SERIES_DASHES[i % len(SERIES_DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{color}" stroke-width="2.5"{dashed}/>')
        body.append(_marker(MARKERS[i % len(MARKERS)], x + 12, y - 4, color, name))
        body.append(f'<text x="{x + 30}" y="{y}" fill="{TEXT}">{escape(label)}</text>')
        x += item_width
    return body, y - top + 18


def line_chart_svg(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    title: str,
    ident: str,
    desc: str = "",
    y_label: str = "score",
    width: int = 420,
    height: int = 240,
) -> SafeString:
    """Scores from 0 to 100 at successive points (``labels``, e.g. one per session), one
    line per series; a value of None is a point the series has no score at, and its
    line joins the points on either side. Each point's tooltip says its value."""
    left, right, bottom = 38, 14, 40
    legend, legend_height = _legend(list(series), left=left, top=40, width=width - left - right)
    top = 32 + legend_height + 6
    height = max(height, top + 120 + bottom)
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [chart_title(title), *legend]
    for tick in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - tick / 100)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{tick}</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{AXIS}"/>')
    count = len(labels)

    def x_of(i: int) -> float:
        return left + plot_w / 2 if count == 1 else left + 10 + (plot_w - 20) * i / (count - 1)

    def y_of(score: float) -> float:
        return top + plot_h * (1 - max(0.0, min(score, 100.0)) / 100)

    step = max(1, -(-count // 8))  # at most eight labels under the axis
    for i, label in enumerate(labels):
        if i % step == 0 or i == count - 1:
            body.append(
                f'<text x="{x_of(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="{TEXT}">'
                f"{escape(short_label(label, 10))}</text>"
            )
    body.append(f'<text x="{left}" y="{height - 4}" fill="{TEXT}">{escape(y_label)} (0 to 100) per practice session</text>')
    for n, (name, values) in enumerate(series.items()):
        color, dash = SERIES_COLORS[n % len(SERIES_COLORS)], SERIES_DASHES[n % len(SERIES_DASHES)]
        points = [(x_of(i), y_of(v), v, labels[i]) for i, v in enumerate(values[:count]) if v is not None]
        if len(points) > 1:
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"{dashed}/>')
        for x, y, value, label in points:
            body.append(_marker(MARKERS[n % len(MARKERS)], x, y, color, f"{name}, {label}: {value:g}"))
    if not count or not any(v is not None for values in series.values() for v in values):
        body.append(f'<text x="{left + 8}" y="{top + plot_h / 2:.1f}" fill="{TEXT}">no scores yet</text>')
    return svg_document(
        width=width, height=height, title=title, body=body, desc=desc or series_summary(labels, series), ident=ident
    )


def series_summary(labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    """A sentence per series for the chart's description: its first and latest score."""
    parts = []
    for name, values in series.items():
        scored = [(labels[i], v) for i, v in enumerate(values[: len(labels)]) if v is not None]
        if not scored:
            continue
        (first_label, first), (last_label, last) = scored[0], scored[-1]
        if len(scored) == 1:
            parts.append(f"{name}: {first:g} on {first_label}.")
        else:
            parts.append(f"{name}: {first:g} on {first_label}, {last:g} on {last_label}, over {len(scored)} sessions.")
    return " ".join(parts) or "No scores yet."
