"""Small charts drawn at build time: no JavaScript, readable without colour alone.

Labels and values are HTML text, not text in a scaled SVG: they keep the page's type size on a phone and
the theme's colours. The bars are CSS widths; screen readers read the labels and the chart's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from .format import Change, amount


def _bars(rows: Sequence[tuple[str, float, str]], unit: str | None, counted: str | None, css: str) -> str:
    """One labelled horizontal bar per row (label, value, the bar's class), to one scale."""
    top = max((abs(value) for _, value, _ in rows), default=0) or 1
    label = "; ".join(f"{name}: {amount(value, unit, counted)}" for name, value, _ in rows)
    parts = [f'<figure class="ct-chart{css}" role="img" aria-label="{escape(label)}">']
    for name, value, bar in rows:
        width = max(0.5, abs(value) / top * 100)
        parts.append(
            '<div class="ct-chart-row">'
            f'<span class="ct-chart-label">{escape(name)}</span>'
            f'<span class="ct-chart-track"><span class="ct-bar {bar}" style="width:{width:.1f}%"></span></span>'
            f'<span class="ct-chart-value">{escape(amount(value, unit, counted))}</span>'
            "</div>"
        )
    parts.append("</figure>")
    return "".join(parts)


def before_after(change: Change, unit: str | None, counted: str | None) -> str:
    rows = [(change.before_label, change.before, "ct-bar-before"), (change.after_label, change.after, "ct-bar-after")]
    return _bars(rows, unit, counted, "")


def series(points: Sequence[tuple[str, float]], unit: str | None, counted: str | None) -> str:
    """A metric's values over time: one bar per period, oldest first, the latest in the primary colour."""
    last = len(points) - 1
    rows = [(name, value, "ct-bar-after" if i == last else "ct-bar-before") for i, (name, value) in enumerate(points)]
    return _bars(rows, unit, counted, " ct-series")
