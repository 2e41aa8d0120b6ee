"""Server-rendered SVG charts: no JavaScript, the same markup on the page and in the PDF.

Every chart has a <title> and <desc> for screen readers, and the table it is drawn from is on the
page next to it. A value of None is a hidden (suppressed) count: no bar is drawn and its label
("<3", "..") is written instead, so a chart never shows what the table hides.

A chart is drawn at its own size in pixels (`width` × `height`) with 12 px text, and the page
shows it at that size, never shrunk (static/css/lotsa.css): shrunk into a half-width column its
labels were about 7.7 px (WCAG 1.4.4). Where the screen is narrower the chart scrolls sideways
in its box. The PDF fits it to its column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#1d3b5a", "#c0504d", "#4f81bd", "#9bbb59", "#8064a2", "#f79646", "#7f7f7f"]
FONT = "DejaVu Sans, Arial, sans-serif"
FONT_PX = 12
LETTER_PX = 7.2  # about how wide a letter is at FONT_PX (DejaVu Sans averages 0.6 em)


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its SVG, and its title for the box that holds it on the page."""

    chart_id: str
    title: str
    svg: SafeString

    def __str__(self) -> str:
        return self.svg

    def __html__(self) -> SafeString:
        return self.svg


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    shown: str  # what the label says: the count, "<3" or ".."


@dataclass(frozen=True)
class Series:
    name: str
    bars: Sequence[Bar]


def _nice_max(value: int) -> int:
    """The top of the axis: a multiple of 4, so the four grid steps are whole numbers."""
    for top in (4, 8, 12, 20, 40, 60, 100, 200, 400, 600, 1000, 2000, 4000, 10000):
        if value <= top:
            return top
    return -(-value // 4000) * 4000


def bar_chart(
    *, chart_id: str, title: str, series: Sequence[Series], width: int = 540, height: int = 240
) -> Chart:
    """Vertical bars: one group per label, one bar per series in the group."""
    labels = [bar.label for bar in series[0].bars] if series else []
    values = [bar.value or 0 for s in series for bar in s.bars]
    top = _nice_max(max(values, default=0))
    left, right, head = 36, 8, 24
    legend = _legend(series, left, width - right) if len(series) > 1 else []
    rows = max((row for _x, row, _s in legend), default=-1) + 1
    bottom = 44 + 18 * rows
    plot_w, plot_h = width - left - right, height - head - bottom
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(2.0, (group_w * 0.8) / max(len(series), 1))
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{FONT}" font-size="{FONT_PX}" class="chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_description(series))}</desc>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = head + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#555">'
            f"{int(value)}</text>"
        )
    for group, label in enumerate(labels):
        x0 = left + group * group_w + group_w * 0.1
        for index, s in enumerate(series):
            bar = s.bars[group]
            x = x0 + index * bar_w
            if bar.value:
                h = plot_h * bar.value / top
                parts.append(
                    f'<rect x="{x:.1f}" y="{head + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                    f'height="{h:.1f}" fill="{PALETTE[index % len(PALETTE)]}"/>'
                )
            if bar.value != 0 or bar.shown != "0":
                y_text = head + plot_h - (plot_h * (bar.value or 0) / top) - 3
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y_text:.1f}" text-anchor="middle" '
                    f'fill="#222">{escape(bar.shown)}</text>'
                )
        parts.append(
            f'<text x="{left + group * group_w + group_w / 2:.1f}" y="{head + plot_h + 14}" '
            f'text-anchor="middle" fill="#222">{escape(_short(label, max(4, int(group_w / LETTER_PX))))}</text>'
        )
    for index, (x, row, s) in enumerate(legend):
        y = height - bottom + 50 + 18 * row
        parts.append(
            f'<rect x="{x:.0f}" y="{y - 9}" width="10" height="10" '
            f'fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{x + 14:.0f}" y="{y}" fill="#222">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return Chart(chart_id=chart_id, title=title, svg=mark_safe("".join(parts)))


def _legend(series: Sequence[Series], start: int, end: int) -> list[tuple[float, int, Series]]:
    """(x, row, series) of each legend entry: left to right, a new row when the next name would
    pass the right edge (names are measured at LETTER_PX a letter)."""
    entries = []
    x, row = float(start), 0
    for s in series:
        width = 14 + LETTER_PX * len(s.name) + 16
        if x > start and x + width > end:
            x, row = float(start), row + 1
        entries.append((x, row, s))
        x += width
    return entries


def _short(label: str, limit: int) -> str:
    """Axis labels stay within their slot; the full text is in the chart's description."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _description(series: Sequence[Series]) -> str:
    return "; ".join(
        (f"{s.name}: " if len(series) > 1 else "")
        + ", ".join(f"{bar.label} {bar.shown}" for bar in s.bars)
        for s in series
    )
