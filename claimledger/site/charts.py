"""Small charts drawn at build time: no JavaScript, readable without colour alone.

Labels and values are HTML text, not text inside a scaled SVG: they keep the page's type size at
any screen width (an SVG drawn 560 units wide shrinks its 13 px labels to 8 px on a phone).
The bars are drawn to scale by CSS widths and hidden from screen readers, which read the labels
and values, and the chart's name says the same in one sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .format import Change, amount


def before_after(change: Change, unit: str | None, counted: str | None) -> str:
    """Two labelled horizontal bars, baseline above, claimed figure below."""
    top = max(abs(change.before), abs(change.after)) or 1
    rows = [(change.before_label, change.before, "ct-bar-before"), (change.after_label, change.after, "ct-bar-after")]
    label = "; ".join(f"{name}: {amount(value, unit, counted)}" for name, value, _ in rows)
    parts = [f'<figure class="ct-chart" role="img" aria-label="{escape(label)}">']
    for name, value, css in rows:
        width = max(0.5, abs(value) / top * 100)
        parts.append(
            '<div class="ct-chart-row">'
            f'<span class="ct-chart-label">{escape(name)}</span>'
            f'<span class="ct-chart-track"><span class="ct-bar {css}" style="width:{width:.1f}%"></span></span>'
            f'<span class="ct-chart-value">{escape(amount(value, unit, counted))}</span>'
            "</div>"
        )
    parts.append("</figure>")
    return "".join(parts)


def series(points: Sequence[tuple[str, float]], unit: str | None, counted: str | None) -> str:
    """One labelled horizontal bar per period, oldest first: a metric's values over time."""
    width, bar_x, bar_max, row = 560, 150, 200, 34
    top = max((abs(value) for _, value in points), default=0) or 1
    label = "; ".join(f"{escape(name)}: {escape(amount(value, unit, counted))}" for name, value in points)
    height = row * len(points) + 8
    parts = [
        f'<svg class="ct-chart ct-series" role="img" aria-label="{label}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{label}</title>",
    ]
    for index, (name, value) in enumerate(points):
        y = 4 + index * row
        length = max(2.0, abs(value) / top * bar_max)
        css = "ct-bar-after" if index == len(points) - 1 else "ct-bar-before"
        parts.append(f'<text x="0" y="{y + 19}" class="ct-chart-label">{escape(name)}</text>')
        parts.append(f'<rect x="{bar_x}" y="{y + 4}" width="{length:.1f}" height="22" rx="3" class="{css}"/>')
        parts.append(
            f'<text x="{bar_x + length + 6:.1f}" y="{y + 19}" class="ct-chart-value">'
            f"{escape(amount(value, unit, counted))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
