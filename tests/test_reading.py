"""What a reader sees of a figure, a chart and a page's outline, independent of any build."""

from __future__ import annotations

import re

import pytest

from claimledger.site import charts, toc
from claimledger.site.format import NBSP, Change, amount, number, qualified


@pytest.mark.parametrize(
    ("value", "unit", "counted", "shown"),
    [
        (42, "percent", None, f"42{NBSP}%"),
        (-42, "percent-change", None, f"−42{NBSP}%"),
        (17, "percent-change", None, f"+17{NBSP}%"),
        (27, "ratio", None, f"27{NBSP}×"),
        (1.49, "per-10000", "trades", f"1.49{NBSP}per 10,000{NBSP}trades"),
        (1910, "count", "cases", f"1,910{NBSP}cases"),
        (2_000_000_000, "count", "commodities", f"2{NBSP}billion{NBSP}commodities"),
        (430_000_000, "CNY", None, f"430,000,000{NBSP}CNY (430{NBSP}million)"),
        (3735, "second", None, f"1{NBSP}h 2{NBSP}min 15{NBSP}s (3,735{NBSP}s)"),
        (2, "day", None, f"2{NBSP}days"),
    ],
)
def test_a_number_and_its_unit_never_part_at_a_line_end(
    value: float, unit: str, counted: str | None, shown: str
) -> None:
    assert amount(value, unit, counted) == shown


def test_no_figure_has_an_ordinary_space_before_its_unit() -> None:
    texts = [amount(97, "percent"), amount(1.49, "per-10000", "trades"), qualified(2, "month", "nearly")]
    assert [t for t in texts if re.search(r"[0-9] ", t)] == []
    assert qualified(2, "month", "nearly") == f"nearly 2{NBSP}months"


def test_numbers_are_written_one_way_everywhere() -> None:
    assert [number(10000), number(1.49), number(-3)] == ["10,000", "1.49", "−3"]


def test_chart_text_is_html_and_keeps_its_size_at_any_width() -> None:
    change = Change(2.1, 1.49, "2016", "2017", "", None)
    html = charts.before_after(change, "per-10000", "trades")
    assert "<svg" not in html and "<text" not in html  # SVG text shrinks with the drawing
    assert '<span class="ct-chart-label">2016</span>' in html
    assert f'<span class="ct-chart-value">1.49{NBSP}per 10,000{NBSP}trades</span>' in html
    assert re.search(r'style="width:100\.0%"', html)  # the larger figure fills the track
    assert re.search(r'style="width:71\.0%"', html)  # and the other is drawn to scale


def test_chart_has_a_text_alternative_naming_both_figures() -> None:
    html = charts.before_after(Change(2.1, 1.49, "2016", "2017", "", None), "per-10000", "trades")
    assert (
        f'role="img" aria-label="2016: 2.1{NBSP}per 10,000{NBSP}trades; 2017: 1.49{NBSP}per 10,000{NBSP}trades"' in html
    )


def test_chart_text_alternative_is_escaped() -> None:
    html = charts.before_after(Change(1, 2, '"><script>', "2017", "", None), None, None)
    assert "<script>" not in html
    assert 'aria-label="&quot;&gt;&lt;script&gt;: 1; 2017: 2"' in html


def test_table_of_contents_nests_each_section_under_the_page_title() -> None:
    html = (
        '<h1 id="claim">A &amp; B</h1><p>x</p><h2 id="verdict">Verdict</h2>'
        '<h3 id="figure">The figure</h3><h2 id="data">Data <span class="ct-badge">x</span></h2>'
    )
    assert toc.tokens(html) == [
        {
            "level": 1,
            "id": "claim",
            "name": "A &amp; B",
            "children": [
                {"level": 2, "id": "verdict", "name": "Verdict", "children": []},
                {"level": 2, "id": "data", "name": "Data x", "children": []},
            ],
        }
    ]
    assert toc.has_sections(toc.tokens(html))


def test_a_page_with_only_a_title_has_no_sections() -> None:
    headings = toc.tokens('<h1 id="all-claims">All claims</h1><table></table>')
    assert [h["id"] for h in headings] == ["all-claims"]
    assert not toc.has_sections(headings)
    assert toc.tokens("<p>no headings</p>") == []
