"""Small charts drawn at build time: no JavaScript, readable without colour alone.

Labels and values are HTML text, not text inside a scaled SVG: they keep the page's type size at
any screen width (an SVG drawn 560 units wide shrinks its 13 px labels to 8 px on a phone).
The bars are drawn to scale by CSS widths and hidden from screen readers, which read the labels
and values, and the chart's name says the same in one sentence.
"""

from __future__ import annotations

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
