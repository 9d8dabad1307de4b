"""Report charts as plain SVG, drawn on the server.

The web page and the PDF embed the same markup, so they show the same picture; no
JavaScript, no fonts beyond the page's own. Labels come from recruiters and question
authors, so every piece of text is escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString

# The primitives (the <svg> document, colours, label shortening) are shared with the
# candidate's progress chart: config/charts.py.
from config.charts import HIGHLIGHT, NEUTRAL, PLOT_TOP, chart_title, svg_document
from config.charts import score_color as _color
from config.charts import short_label as _short
from review.cohorts import Cohort

WIDTH = 500
BAR_HEIGHT = 22
BAR_GAP = 10
LABEL_WIDTH = 170


def _svg(height: int, title: str, body: list[str]) -> SafeString:
    return svg_document(width=WIDTH, height=height, title=title, body=body)


def section_scores_svg(sections: Mapping[str, float | None], title: str = "Section scores") -> SafeString:
    """Horizontal bars, 0 to 100, one per section; ungraded sections say so."""
    plot = WIDTH - LABEL_WIDTH - 50
    top = PLOT_TOP
    height = top + max(1, len(sections)) * (BAR_HEIGHT + BAR_GAP) + 22
    body = [chart_title(title)]
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + plot * tick / 100
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 18}" stroke="#e2e8f0"/>')
        body.append(f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" fill="#718096">{tick}</text>')
    for i, (name, score) in enumerate(sections.items()):
        y = top + i * (BAR_HEIGHT + BAR_GAP)
        body.append(f'<text x="0" y="{y + 15}">{escape(_short(name))}</text>')
        if score is None:
            body.append(f'<text x="{LABEL_WIDTH + 4}" y="{y + 15}" fill="#718096">not graded yet</text>')
            continue
        width = plot * max(0.0, min(score, 100.0)) / 100
        body.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" rx="3" fill="{_color(score)}"/>')
        body.append(f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 15}">{score:g}</text>')
    if not sections:
        body.append(f'<text x="0" y="{top + 15}" fill="#718096">no graded sections</text>')
    return _svg(height, title, body)


def cohort_histogram_svg(cohort: Cohort, title: str = "Cohort distribution") -> SafeString:
    """Ten bins of 0 to 100 with the candidate's bin highlighted and a marker at their score.

    The tallest bar's count is drawn just above it, so the plot starts a label's height
    below ``PLOT_TOP``: the count never runs into the title."""
    height, top, bottom, left = 226, PLOT_TOP + 16, 36, 36
    plot_w, plot_h = WIDTH - left - 10, height - top - bottom
    bins = [0] * 10
    for s in cohort.scores:
        bins[min(int(max(s, 0.0) // 10), 9)] += 1
    mine = None if cohort.score is None else min(int(max(cohort.score, 0.0) // 10), 9)
    tallest = max(bins) or 1
    caption = f"{title} (n={cohort.size})"
    if cohort.percentile is not None and cohort.score is not None and cohort.size > 1:
        caption += f": this candidate {cohort.score:g}, better than {int(cohort.percentile)}%"
    body = [chart_title(caption)]
    bin_w = plot_w / 10
    for i, count in enumerate(bins):
        h = plot_h * count / tallest
        x = left + i * bin_w
        fill = HIGHLIGHT if i == mine else NEUTRAL
        body.append(
            f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bin_w - 4:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{i * 10} to {i * 10 + 10}: {count}</title></rect>"
        )
        if count:
            body.append(f'<text x="{x + bin_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle">{count}</text>')
        body.append(f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="#718096">{i * 10}</text>')
    body.append(f'<text x="{left + plot_w:.1f}" y="{top + plot_h + 14}" text-anchor="middle" fill="#718096">100</text>')
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#4a5568"/>')
    if cohort.score is not None:
        x = left + plot_w * max(0.0, min(cohort.score, 100.0)) / 100
        body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#1a202c" stroke-dasharray="4 3"/>')
    body.append(f'<text x="{left}" y="{height - 4}" fill="#718096">score (candidates per band of 10 points)</text>')
    return _svg(height, caption, body)
