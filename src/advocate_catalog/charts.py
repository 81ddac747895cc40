"""Charts drawn at build time as inline SVG: no JavaScript, readable in print and dark mode.

Each chart is drawn twice: wide (labels beside the bars) and narrow (labels above them, for a phone
held upright, where the wide drawing would shrink its text to a few pixels). CSS shows one."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, LABEL_WIDTH, ROW, TOP = 680, 250, 26, 8
NARROW_WIDTH, NARROW_ROW = 340, 44  # drawn at about the size a 375 px screen shows it


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    target: float | None = None


def _svg(chart_id: str, title: str, description: str, bars: list[Bar], narrow: bool) -> str:
    scale_max = max([b.value for b in bars] + [b.target or 0 for b in bars] + [1])
    width, row = (NARROW_WIDTH, NARROW_ROW) if narrow else (WIDTH, ROW)
    left = 0 if narrow else LABEL_WIDTH
    plot = width - left - 60
    height = TOP * 2 + row * len(bars)
    parts = [f'<svg class="chart chart-{"narrow" if narrow else "wide"}" id="{chart_id}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-title">{escape(title)}</title>',
             f'<desc id="{chart_id}-desc">{escape(description)}</desc>']
    for i, bar in enumerate(bars):
        y = TOP + i * row
        bar_y = y + (20 if narrow else 5)  # narrow: the label takes the row's first line
        length = plot * bar.value / scale_max
        short = bar.target is not None and bar.value < bar.target
        label = escape(bar.label[:48 if narrow else 38])
        if narrow:
            parts.append(f'<text class="chart-label" x="0" y="{y + 14}">{label}</text>')
        else:
            parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 17}" '
                         f'text-anchor="end">{label}</text>')
        parts.append(f'<rect class="chart-bar{" chart-gap" if short else ""}" x="{left}" '
                     f'y="{bar_y}" width="{length:.1f}" height="16" rx="3"/>')
        value = f"{bar.value:g}" + (f" / {bar.target:g}" if bar.target is not None else "")
        parts.append(f'<text class="chart-value" x="{left + length + 6:.1f}" '
                     f'y="{bar_y + 12}">{value}</text>')
        if bar.target is not None:
            x = left + plot * bar.target / scale_max
            parts.append(f'<line class="chart-target" x1="{x:.1f}" x2="{x:.1f}" y1="{bar_y - 3}" '
                         f'y2="{bar_y + 19}"/>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """A horizontal bar chart; a target, when given, is a marker line, and a bar short of it is
    drawn as a gap. Colours come from CSS classes, so the site's light, dark and print styles apply."""
    return Markup(_svg(chart_id, title, description, bars, narrow=False)
                  + _svg(f"{chart_id}-narrow", title, description, bars, narrow=True))
