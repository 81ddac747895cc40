"""Charts drawn at build time as inline SVG: no JavaScript, readable in print and dark mode."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, LABEL_WIDTH, ROW, TOP = 680, 250, 26, 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    target: float | None = None


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """A horizontal bar chart; a target, when given, is a marker line, and a bar short of it is
    drawn as a gap. Colours come from CSS classes, so the site's light, dark and print styles apply."""
    scale_max = max([b.value for b in bars] + [b.target or 0 for b in bars] + [1])
    plot = WIDTH - LABEL_WIDTH - 60
    height = TOP * 2 + ROW * len(bars)
    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        length = plot * bar.value / scale_max
        short = bar.target is not None and bar.value < bar.target
        parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 17}" '
                     f'text-anchor="end">{escape(bar.label[:38])}</text>')
        parts.append(f'<rect class="chart-bar{" chart-gap" if short else ""}" x="{LABEL_WIDTH}" '
                     f'y="{y + 5}" width="{length:.1f}" height="{ROW - 10}" rx="3"/>')
        value = f"{bar.value:g}" + (f" / {bar.target:g}" if bar.target is not None else "")
        parts.append(f'<text class="chart-value" x="{LABEL_WIDTH + length + 6:.1f}" '
                     f'y="{y + 17}">{value}</text>')
        if bar.target is not None:
            x = LABEL_WIDTH + plot * bar.target / scale_max
            parts.append(f'<line class="chart-target" x1="{x:.1f}" x2="{x:.1f}" y1="{y + 2}" '
                         f'y2="{y + ROW - 2}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
